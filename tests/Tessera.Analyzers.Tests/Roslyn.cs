using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Tessera.Analyzers;
using Tessera.Analyzers.CodeFixes;

namespace Tessera.Analyzers.Tests;

/// <summary>
/// Compiles C# in process against this test project's own assemblies (ASP.NET Core, IdentityModel, MSAL, Tessera's SDK), runs the
/// Tessera analyzers on it and applies their code fixes through a workspace: what an editor and a build do, without a build.
/// </summary>
internal static class Roslyn
{
    private static readonly ImmutableArray<MetadataReference> References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
        .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
        .ToImmutableArray();

    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        [new AssignmentAnalyzer(), new ReferenceAnalyzer(), new LiteralAnalyzer(), new AuthorizationAnalyzer()];

    private const string Usings = """
        global using System;
        global using System.Net.Http;
        global using System.Security.Cryptography.X509Certificates;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Authentication.JwtBearer;
        global using Microsoft.AspNetCore.Authentication.OpenIdConnect;
        global using Microsoft.AspNetCore.Authorization;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Mvc;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Identity.Client;
        global using Microsoft.IdentityModel.Protocols.OpenIdConnect;
        global using Microsoft.IdentityModel.Tokens;
        """;

    public static CSharpCompilation Compile(IEnumerable<SyntaxTree> trees, OutputKind kind) =>
        CSharpCompilation.Create("Snippet", trees, References, new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));

    private static SyntaxTree Parse(string source, string path) =>
        CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path);

    /// <summary>The Tessera diagnostics of a snippet (a library; it must compile without errors, so that it binds).</summary>
    public static async Task<IReadOnlyList<Diagnostic>> AnalyzeAsync(string source)
    {
        var compilation = Compile([Parse(Usings, "Usings.cs"), Parse(source, "Snippet.cs")], OutputKind.DynamicallyLinkedLibrary);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The snippet does not compile: " + string.Join("; ", errors));
        return await RunAsync(compilation);
    }

    public static async Task<IReadOnlyList<Diagnostic>> RunAsync(Compilation compilation) =>
        (await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync())
        .OrderBy(d => d.Location.SourceSpan.Start).ToList();

    /// <summary>The snippet after the code fix of the first diagnostic with this id has been applied.</summary>
    public static async Task<string> FixAsync(string source, string id)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "Snippet", "Snippet", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: References));
        project = workspace.AddDocument(project.Id, "Usings.cs", SourceText.From(Usings)).Project;
        var document = workspace.AddDocument(project.Id, "Snippet.cs", SourceText.From(source));

        var compilation = (await document.Project.GetCompilationAsync())!;
        var diagnostic = (await RunAsync(compilation)).First(d => d.Id == id);
        var actions = new List<CodeAction>();
        var fix = new SecureSettingCodeFix();
        await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        Assert.True(actions.Count > 0, $"No code fix offered for {id}.");
        var operations = await actions[0].GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
        var text = (await changed.GetTextAsync()).ToString();

        var after = await RunAsync((await changed.Project.GetCompilationAsync())!);
        Assert.DoesNotContain(after, d => d.Id == id);
        return text;
    }

    /// <summary>Every C# file of a folder (and the files a project links in from elsewhere), compiled as one program.</summary>
    public static CSharpCompilation CompileFolder(string folder, IEnumerable<string> linked)
    {
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Concat(linked);
        var trees = files.Select(f => Parse(File.ReadAllText(f), f)).Append(Parse(SampleUsings, "ImplicitUsings.cs"));
        return Compile(trees, OutputKind.ConsoleApplication);
    }

    /// <summary>The implicit usings of the web SDK, which the samples rely on.</summary>
    private const string SampleUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Net.Http.Json;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Routing;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        """;
}
