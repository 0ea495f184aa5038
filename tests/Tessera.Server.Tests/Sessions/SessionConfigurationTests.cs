using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Sessions;

/// <summary>Server-wide session timeouts are checked at start-up: a server that would keep sessions too long, or end them absurdly soon, does not start.</summary>
public sealed class SessionConfigurationTests
{
    [Theory]
    [InlineData("00:01:00", "12:00:00", "TSR5307")]
    [InlineData("2.00:00:00", "12:00:00", "TSR5307")]
    [InlineData("13:00:00", "12:00:00", "TSR5307")]
    [InlineData("01:00:00", "00:10:00", "TSR5308")]
    [InlineData("01:00:00", "60.00:00:00", "TSR5308")]
    public async Task Start_TimeoutsOutOfRange_FailsWithCatalogueError(string idle, string absolute, string code)
    {
        var data = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<Tessera.Policy.Errors.TesseraConfigurationException>(
            () => TesseraServerFixture.StartServerAsync(data, ["--Tessera:Sessions:IdleTimeout=" + idle, "--Tessera:Sessions:AbsoluteTimeout=" + absolute]));
        Assert.Equal(code, error.Error.Code);
        Assert.Contains("Tessera:Sessions:", error.Error.Sentence, StringComparison.Ordinal);
    }
}
