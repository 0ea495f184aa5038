using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Tessera.AspNetCore.Configuration;
using Tessera.AspNetCore.Diagnostics;

namespace Tessera.AspNetCore.Validation;

/// <summary>
/// The discovery document and JWKS of each tenant whose tokens a scheme accepts, read from
/// <c>{Instance}/{tenant}/v2.0/.well-known/openid-configuration</c> and refreshed as JwtBearer would.
/// A single-tenant API reads one tenant's; a multitenant API reads the tenant each token names, once its other checks
/// passed. Tenants that cannot be read are not remembered, and at most a few are read for the first time at once, so
/// that tokens naming made-up tenants cannot pile up work.
/// </summary>
internal sealed class TenantMetadata : IDisposable
{
    private const int MaximumTenants = 10_000;
    private readonly ConcurrentDictionary<Guid, ConfigurationManager<OpenIdConnectConfiguration>> _tenants = new();
    private readonly SemaphoreSlim _firstReads = new(4, 4);
    private readonly TesseraApiSettings _settings;
    private readonly HttpDocumentRetriever _retriever;
    private readonly TimeSpan _automaticRefreshInterval;
    private readonly TimeSpan _refreshInterval;
    private readonly ILogger _logger;

    public TenantMetadata(TesseraApiSettings settings, HttpClient backchannel, TimeSpan automaticRefreshInterval, TimeSpan refreshInterval, ILogger logger)
    {
        _settings = settings;
        Backchannel = backchannel;
        _retriever = new HttpDocumentRetriever(backchannel) { RequireHttps = settings.RequireHttps };
        _automaticRefreshInterval = automaticRefreshInterval;
        _refreshInterval = refreshInterval;
        _logger = logger;
    }

    /// <summary>The scheme's backchannel (JwtBearer's), also used by the Continuous Access receiver.</summary>
    public HttpClient Backchannel { get; }

    /// <summary>The tenant's configuration, or null (logged) when it cannot be read or names another issuer.</summary>
    public async Task<OpenIdConnectConfiguration?> GetAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (_tenants.TryGetValue(tenantId, out var known))
        {
            return await ReadAsync(tenantId, known, cancellationToken).ConfigureAwait(false);
        }

        await _firstReads.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var manager = _tenants.TryGetValue(tenantId, out var raced) ? raced : Create(tenantId);
            var configuration = await ReadAsync(tenantId, manager, cancellationToken).ConfigureAwait(false);
            // Tenants named in configuration are kept even while unreadable; tenants a token merely names only once read.
            var configured = _settings.TenantId == tenantId || _settings.AllowedTenants.Contains(tenantId);
            if ((configuration is not null || configured) && _tenants.Count < MaximumTenants)
            {
                _tenants.TryAdd(tenantId, manager);
            }

            return configuration;
        }
        finally
        {
            _firstReads.Release();
        }
    }

    /// <summary>Asks for the tenant's keys to be read again (a token named a key not seen yet: a rotation).</summary>
    public void RequestRefresh(Guid tenantId)
    {
        if (_tenants.TryGetValue(tenantId, out var manager))
        {
            manager.RequestRefresh();
        }
    }

    public void Dispose() => _firstReads.Dispose();

    private ConfigurationManager<OpenIdConnectConfiguration> Create(Guid tenantId)
        => new(_settings.MetadataAddressOf(tenantId), new OpenIdConnectConfigurationRetriever(), _retriever)
        {
            AutomaticRefreshInterval = _automaticRefreshInterval,
            RefreshInterval = _refreshInterval,
        };

    private async Task<OpenIdConnectConfiguration?> ReadAsync(Guid tenantId, ConfigurationManager<OpenIdConnectConfiguration> manager, CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or HttpRequestException or ArgumentException)
        {
            Log.MetadataUnavailable(_logger, exception, tenantId.ToString("D"), _settings.MetadataAddressOf(tenantId));
            return null;
        }

        var expected = _settings.IssuerOf(tenantId);
        if (!string.Equals(configuration.Issuer, expected, StringComparison.Ordinal))
        {
            Log.MetadataIssuerMismatch(_logger, tenantId.ToString("D"), configuration.Issuer ?? string.Empty, expected);
            return null;
        }

        return configuration;
    }
}
