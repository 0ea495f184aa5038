using System.Text.Json;
using Tessera.Cli.Failures;

namespace Tessera.Cli.Session;

/// <summary>The server's <c>bootstrap.json</c>: the first tenant and a confidential client holding the admin API's top permission.</summary>
internal sealed record BootstrapFile(
    Guid TenantId, string Issuer, string Domain, string ClientId, string ClientSecret, string AdminApi, string AdminScope)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads the file; anything missing or unreadable is a usage error naming the file.</summary>
    public static BootstrapFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        BootstrapFile? file;
        try
        {
            file = JsonSerializer.Deserialize<BootstrapFile>(File.ReadAllBytes(path), Json);
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw CommandFailure.Usage(CliErrors.BootstrapUnreadable.With(path, Api.ServerExchange.OneLine(exception.Message)));
        }

        var missing = file is null ? "the file is empty"
            : file.TenantId == Guid.Empty ? "tenantId is missing"
            : string.IsNullOrWhiteSpace(file.Issuer) ? "issuer is missing"
            : string.IsNullOrWhiteSpace(file.ClientId) ? "clientId is missing"
            : string.IsNullOrWhiteSpace(file.ClientSecret) ? "clientSecret is missing"
            : string.IsNullOrWhiteSpace(file.AdminScope) ? "adminScope is missing"
            : null;
        return missing is null ? file! : throw CommandFailure.Usage(CliErrors.BootstrapUnreadable.With(path, missing + "."));
    }
}
