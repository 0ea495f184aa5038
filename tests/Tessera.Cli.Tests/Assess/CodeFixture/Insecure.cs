namespace CodeFixture;

public static class Insecure
{
    public const string Database = "Host=db;Username=orders;Password=hunter2";

    public static HttpClient Client() =>
        new(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator });
}
