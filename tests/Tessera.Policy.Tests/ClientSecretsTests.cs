using Tessera.Policy.Clients;

namespace Tessera.Policy.Tests;

public sealed class ClientSecretsTests
{
    [Fact]
    public void Generate_Always_HasAtLeast256BitsAndIsUnique()
    {
        var secrets = Enumerable.Range(0, 100).Select(_ => ClientSecrets.Generate()).ToHashSet();
        Assert.Equal(100, secrets.Count);
        Assert.All(secrets, s => Assert.True(s.Length - 4 >= 43, s));
    }

    [Fact]
    public void Matches_RightAndWrongSecret_OnlyRightMatches()
    {
        var secret = ClientSecrets.Generate();
        var hash = ClientSecrets.Hash(secret);
        Assert.DoesNotContain(secret, hash, StringComparison.Ordinal);
        Assert.True(ClientSecrets.Matches(secret, hash));
        Assert.False(ClientSecrets.Matches(secret + "x", hash));
        Assert.False(ClientSecrets.Matches(secret, "plain-text-value"));
    }
}
