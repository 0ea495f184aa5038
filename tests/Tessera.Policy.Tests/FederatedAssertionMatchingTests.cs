using Tessera.Policy.Workloads;

namespace Tessera.Policy.Tests;

public sealed class FederatedAssertionMatchingTests
{
    private const string Ci = "https://ci.example";
    private const string Main = "repo:org/app:ref:refs/heads/main";
    private const string Exchange = "api://AzureADTokenExchange";

    private static readonly TrustedIssuerSubject[] Credentials =
    [
        new("ci-main", Ci, Main, [Exchange]),
        new("ci-release", Ci, "repo:org/app:ref:refs/heads/release", ["api://custom"]),
        new("k8s", "https://k8s.example", "system:serviceaccount:orders:api", [Exchange]),
    ];

    [Theory]
    [InlineData(Ci, Main, Exchange, "ci-main", null)]
    [InlineData(Ci, "repo:org/app:ref:refs/heads/release", "api://custom", "ci-release", null)]
    [InlineData("https://ci.example/", Main, Exchange, null, "TSR8101")]
    [InlineData("https://CI.example", Main, Exchange, null, "TSR8101")]
    [InlineData("https://other.example", Main, Exchange, null, "TSR8101")]
    [InlineData(Ci, "repo:org/app:ref:refs/heads/*", Exchange, null, "TSR8102")]
    [InlineData(Ci, "Repo:org/app:ref:refs/heads/main", Exchange, null, "TSR8102")]
    [InlineData(Ci, "system:serviceaccount:orders:api", Exchange, null, "TSR8102")]
    [InlineData(Ci, Main, "api://azureadtokenexchange", null, "TSR8103")]
    [InlineData(Ci, Main, "api://custom", null, "TSR8103")]
    public void Match_Table(string issuer, string subject, string audience, string? expected, string? code)
    {
        var (credential, error) = FederatedAssertionMatching.Match(FederatedAssertionMatching.ForIssuer(Credentials, issuer), issuer, subject, [audience]);
        Assert.Equal(expected, credential?.Name);
        Assert.Equal(code, error?.Code);
    }

    [Fact]
    public void Match_OneOfSeveralAudiences_Accepted()
    {
        var (credential, _) = FederatedAssertionMatching.Match(FederatedAssertionMatching.ForIssuer(Credentials, Ci), Ci, Main, ["https://elsewhere", Exchange]);
        Assert.Equal("ci-main", credential?.Name);
    }
}
