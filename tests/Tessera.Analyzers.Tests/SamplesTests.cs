using Microsoft.CodeAnalysis;

namespace Tessera.Analyzers.Tests;

/// <summary>The project's own samples are what people copy: the analyzers find nothing in them.</summary>
public sealed class SamplesTests
{
    [Theory]
    [InlineData("Daemon")]
    [InlineData("DeviceCodeCli")]
    [InlineData("InventoryApi")]
    [InlineData("OrdersApi")]
    [InlineData("WebApp")]
    public async Task Sample_Analyzed_ReportsNothing(string sample)
    {
        var samples = Path.Combine(Repository.Root, "samples");
        var compilation = Roslyn.CompileFolder(Path.Combine(samples, sample), [Path.Combine(samples, "Shared", "LocalTesseraCertificate.cs")]);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"{sample} does not compile here, so it would not be analyzed: " + string.Join("; ", errors.Take(5)));

        var found = await Roslyn.RunAsync(compilation);
        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
    }
}
