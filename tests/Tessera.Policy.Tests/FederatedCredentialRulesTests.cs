using Tessera.Policy.Registrations;

namespace Tessera.Policy.Tests;

public sealed class FederatedCredentialRulesTests
{
    private const string GitHub = "https://token.actions.githubusercontent.com";
    private const string Main = "repo:contoso/orders:ref:refs/heads/main";

    private static readonly ExistingFederatedCredential Deploy = new(Guid.Parse("00000000-0000-4000-8000-000000000001"), "github-deploy", GitHub, Main);

    private static FederatedCredentialRequest Request(string? name = "github-pr", string? issuer = GitHub, string? subject = "repo:contoso/orders:pull_request",
        string[]? audiences = null, string? description = null)
        => new(name, issuer, subject, audiences, description);

    [Theory]
    [InlineData("github-deploy_2", null)]
    [InlineData("abc", null)]
    [InlineData("ab", "TSR3051")]
    [InlineData(null, "TSR3050")]
    [InlineData("", "TSR3050")]
    [InlineData("   ", "TSR3050")]
    [InlineData("has space", "TSR3052")]
    [InlineData("dots.not.allowed", "TSR3052")]
    [InlineData("slash/no", "TSR3052")]
    [InlineData("ünïcode", "TSR3052")]
    public void Name_Table(string? name, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Name(name)?.Code);

    [Theory]
    [InlineData(120, null)]
    [InlineData(121, "TSR3051")]
    public void Name_Length_AtMost120(int length, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Name(new string('a', length))?.Code);

    [Theory]
    [InlineData(GitHub, null)]
    [InlineData("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0", null)]
    [InlineData("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/", null)]
    [InlineData("http://127.0.0.1:8080/issuer", null)]
    [InlineData("http://localhost/issuer", null)]
    [InlineData("http://[::1]/issuer", null)]
    [InlineData("http://token.actions.githubusercontent.com", "TSR3057")]
    [InlineData("ftp://issuer.example.com", "TSR3057")]
    [InlineData("https://issuer.example.com/?tenant=1", "TSR3058")]
    [InlineData("https://issuer.example.com/#x", "TSR3058")]
    [InlineData("/relative/issuer", "TSR3056")]
    [InlineData("issuer.example.com", "TSR3056")]
    [InlineData("not a url", "TSR3056")]
    [InlineData(null, "TSR3055")]
    [InlineData(" ", "TSR3055")]
    public void Issuer_Table_HttpsOrLoopbackWithoutQueryOrFragment(string? issuer, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Issuer(issuer)?.Code);

    [Fact]
    public void Issuer_LongerThan600_TooLong()
    {
        var issuer = "https://issuer.example.com/" + new string('a', 600 - 27);
        Assert.Null(FederatedCredentialRules.Issuer(issuer));
        Assert.Equal("TSR3060", FederatedCredentialRules.Issuer(issuer + "a")?.Code);
    }

    [Theory]
    [InlineData(Main, null)]
    [InlineData("system:serviceaccount:orders:deployer", null)]
    [InlineData(null, "TSR3059")]
    [InlineData("", "TSR3059")]
    public void Subject_Table(string? subject, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Subject(subject)?.Code);

    [Theory]
    [InlineData(600, null)]
    [InlineData(601, "TSR3060")]
    public void Subject_AtMost600(int length, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Subject(new string('s', length))?.Code);

    [Theory]
    [InlineData(new[] { "api://AzureADTokenExchange" }, null)]
    [InlineData(new[] { "sts.amazonaws.com" }, null)]
    [InlineData(new string[0], "TSR3061")]
    [InlineData(new[] { "a", "b" }, "TSR3061")]
    [InlineData(new[] { "" }, "TSR3061")]
    public void Audiences_ExactlyOne(string[] audiences, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Audiences(audiences)?.Code);

    [Fact]
    public void Audiences_LongerThan600_TooLong()
        => Assert.Equal("TSR3060", FederatedCredentialRules.Audiences([new string('a', 601)])?.Code);

    [Fact]
    public void Audiences_Omitted_DefaultToTokenExchange()
    {
        Assert.Equal(["api://AzureADTokenExchange"], FederatedCredentialRules.AudiencesOrDefault(null));
        Assert.Equal(["custom"], FederatedCredentialRules.AudiencesOrDefault(["custom"]));
        Assert.Null(FederatedCredentialRules.Create(Request(audiences: null), []));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(600, null)]
    [InlineData(601, "TSR3060")]
    public void Description_AtMost600(int? length, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Description(length is { } n ? new string('d', n) : null)?.Code);

    [Fact]
    public void Create_Valid_Accepted()
        => Assert.Null(FederatedCredentialRules.Create(Request(), [Deploy]));

    [Theory]
    [InlineData("github-deploy", "TSR3053")]
    [InlineData("GITHUB-DEPLOY", "TSR3053")]
    [InlineData("github-deploy-2", null)]
    public void Create_NameUniquePerApplication_IgnoringCase(string name, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Create(Request(name: name), [Deploy])?.Code);

    [Theory]
    [InlineData(GitHub, Main, "TSR3063")]
    [InlineData(GitHub + "/", Main, null)]
    [InlineData(GitHub, "repo:contoso/orders:ref:refs/heads/MAIN", null)]
    public void Create_IssuerAndSubjectUniquePerApplication_Exactly(string issuer, string subject, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Create(Request(issuer: issuer, subject: subject), [Deploy])?.Code);

    [Theory]
    [InlineData(19, null)]
    [InlineData(20, "TSR3062")]
    public void Create_AtMost20PerApplication(int existing, string? code)
    {
        var credentials = Enumerable.Range(0, existing)
            .Select(i => new ExistingFederatedCredential(Guid.NewGuid(), $"credential-{i}", GitHub, $"subject-{i}")).ToList();
        Assert.Equal(code, FederatedCredentialRules.Create(Request(), credentials)?.Code);
    }

    [Fact]
    public void Create_InvalidValue_NamedBeforeLimitOrUniqueness()
        => Assert.Equal("TSR3057", FederatedCredentialRules.Create(Request(name: "github-deploy", issuer: "http://example.com"), [Deploy])?.Code);

    [Theory]
    [InlineData(null, null)]
    [InlineData("github-deploy", null)]
    [InlineData("github-renamed", "TSR3054")]
    [InlineData("GITHUB-DEPLOY", "TSR3054")]
    public void Change_NameIsImmutable(string? name, string? code)
        => Assert.Equal(code, FederatedCredentialRules.Change(Deploy, new(name, GitHub, "repo:contoso/orders:environment:prod", ["api://AzureADTokenExchange"], null), [Deploy])?.Code);

    [Fact]
    public void Change_KeepingItsOwnIssuerAndSubject_Accepted()
        => Assert.Null(FederatedCredentialRules.Change(Deploy, new(null, GitHub, Main, ["api://AzureADTokenExchange"], "same"), [Deploy]));

    [Fact]
    public void Change_ToAnotherCredentialsIssuerAndSubject_Conflict()
    {
        var other = new ExistingFederatedCredential(Guid.NewGuid(), "github-pr", GitHub, "repo:contoso/orders:pull_request");
        Assert.Equal("TSR3063", FederatedCredentialRules.Change(other, new(null, GitHub, Main, ["api://AzureADTokenExchange"], null), [Deploy, other])?.Code);
    }

    [Fact]
    public void Change_InvalidValues_Refused()
    {
        Assert.Equal("TSR3061", FederatedCredentialRules.Change(Deploy, new(null, GitHub, Main, [], null), [Deploy])?.Code);
        Assert.Equal("TSR3059", FederatedCredentialRules.Change(Deploy, new(null, GitHub, " ", ["x"], null), [Deploy])?.Code);
    }
}
