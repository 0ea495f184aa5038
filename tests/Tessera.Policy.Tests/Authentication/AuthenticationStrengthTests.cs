using Tessera.Policy.Authentication;

namespace Tessera.Policy.Tests.Authentication;

public sealed class AuthenticationStrengthTests
{
    [Theory]
    [InlineData("", AuthenticationStrength.None)]
    [InlineData("pwd", AuthenticationStrength.Password)]
    [InlineData("pwd otp mfa", AuthenticationStrength.Mfa)]
    [InlineData("pwd mfa", AuthenticationStrength.Mfa)]
    [InlineData("fido mfa", AuthenticationStrength.PhishingResistantMfa)]
    [InlineData("otp", AuthenticationStrength.None)]
    [InlineData("PWD", AuthenticationStrength.None)]
    public void Of_Methods_GivesStrength(string amr, AuthenticationStrength expected)
        => Assert.Equal(expected, AuthenticationStrengths.Of(Split(amr)));

    [Theory]
    [InlineData("pwd", AuthenticationStrength.Password, true)]
    [InlineData("pwd", AuthenticationStrength.Mfa, false)]
    [InlineData("pwd otp mfa", AuthenticationStrength.Mfa, true)]
    [InlineData("pwd otp mfa", AuthenticationStrength.PasswordlessMfa, false)]
    [InlineData("pwd mfa", AuthenticationStrength.PhishingResistantMfa, false)]
    [InlineData("fido mfa", AuthenticationStrength.Mfa, true)]
    [InlineData("fido mfa", AuthenticationStrength.PasswordlessMfa, true)]
    [InlineData("fido mfa", AuthenticationStrength.PhishingResistantMfa, true)]
    [InlineData("", AuthenticationStrength.None, true)]
    public void Satisfies_MethodsAndRequired_Decides(string amr, AuthenticationStrength required, bool expected)
        => Assert.Equal(expected, AuthenticationStrengths.Satisfies(Split(amr), required));

    [Theory]
    [InlineData("", AuthenticationStrength.None)]
    [InlineData("urn:tessera:acr:mfa", AuthenticationStrength.Mfa)]
    [InlineData("urn:tessera:acr:phishing-resistant-mfa urn:tessera:acr:mfa", AuthenticationStrength.Mfa)]
    [InlineData("urn:other:gold urn:tessera:acr:phishing-resistant-mfa", AuthenticationStrength.PhishingResistantMfa)]
    [InlineData("urn:other:gold", AuthenticationStrength.None)]
    [InlineData("URN:TESSERA:ACR:MFA", AuthenticationStrength.None)]
    public void Requested_AcrValues_WeakestKnownOne(string acrValues, AuthenticationStrength expected)
        => Assert.Equal(expected, AuthenticationStrengths.Requested(Split(acrValues)));

    [Fact]
    public void AcrOf_EveryStrength_RoundTrips()
    {
        foreach (var strength in Enum.GetValues<AuthenticationStrength>().Where(s => s != AuthenticationStrength.None))
        {
            Assert.Equal(strength, AuthenticationStrengths.FromAcr(AuthenticationStrengths.AcrOf(strength)));
        }

        Assert.Null(AuthenticationStrengths.AcrOf(AuthenticationStrength.None));
        Assert.Equal(4, AuthenticationStrengths.SupportedAcrValues.Count);
    }

    [Theory]
    [InlineData("pwd", "Password")]
    [InlineData("pwd otp mfa", "Password, Authenticator app")]
    [InlineData("pwd mfa", "Password, Recovery code")]
    [InlineData("fido mfa", "Passkey")]
    public void Describe_Methods_ReadsAsTheSignInLogSaysIt(string amr, string expected)
        => Assert.Equal(expected, AuthenticationStrengths.Describe(Split(amr)));

    private static string[] Split(string values) => values.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
