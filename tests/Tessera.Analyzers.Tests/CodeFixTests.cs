namespace Tessera.Analyzers.Tests;

/// <summary>The mechanical fixes, applied through a workspace as an editor does; each result no longer triggers the rule.</summary>
public sealed class CodeFixTests
{
    [Theory]
    [InlineData("TSA0001",
        "static TokenValidationParameters P() => new() { ValidateAudience = false };",
        "static TokenValidationParameters P() => new() { ValidateAudience = true };")]
    [InlineData("TSA0002",
        "static void P(JwtBearerOptions o) { o.RequireHttpsMetadata = false; }",
        "static void P(JwtBearerOptions o) { o.RequireHttpsMetadata = true; }")]
    [InlineData("TSA0006",
        "static void P(OpenIdConnectOptions o) { o.ResponseType = \"id_token token\"; }",
        "static void P(OpenIdConnectOptions o) { o.ResponseType = \"code\"; }")]
    [InlineData("TSA0007",
        "static void P(OpenIdConnectOptions o) { o.UsePkce = false; }",
        "static void P(OpenIdConnectOptions o) { o.UsePkce = true; }")]
    [InlineData("TSA0011",
        "static X509Certificate2 P(byte[] pfx) => X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);",
        "static X509Certificate2 P(byte[] pfx) => X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.EphemeralKeySet);")]
    [InlineData("TSA0011",
        "static X509Certificate2 P(byte[] pfx) => X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable);",
        "static X509Certificate2 P(byte[] pfx) => X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.DefaultKeySet);")]
    [InlineData("TSA0012",
        "static void P(HttpClientHandler h) { h.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator; }",
        "static void P(HttpClientHandler h) { }")]
    [InlineData("TSA0012",
        "static HttpClientHandler P() => new() { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };",
        "static HttpClientHandler P() => new() { };")]
    public async Task Fix_UnsafeSetting_BecomesSafe(string id, string before, string after)
    {
        var fixedSource = await Roslyn.FixAsync(Wrap(before), id);
        Assert.Equal(Normalize(Wrap(after)), Normalize(fixedSource));
    }

    private static string Wrap(string member) => "public static class Snippet\n{\n" + member + "\n}\n";

    private static string Normalize(string source) => string.Join(' ', source.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
}
