#:property PublishAot=false
// Continuous Access Evaluation propagation, driven by bench/cae/run: for each of N app-only subjects (daemons with the
// API's app role), disable its service principal through the admin API and time, from the moment the admin request is
// sent, until the first 401 at each API process (one receiving by push, one by poll), both asked in turn every
// millisecond or so with the daemon's token (already validated and cached by each API). Prints p50/p90/p99/max per
// delivery method. Settings come from the environment (bench/cae/run sets them).
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

var baseUrl = Environment.GetEnvironmentVariable("CAE_BASE")!;
var tenant = Environment.GetEnvironmentVariable("CAE_TENANT")!;
var adminToken = Environment.GetEnvironmentVariable("CAE_ADMIN_TOKEN")!;
var apiId = Environment.GetEnvironmentVariable("CAE_API_ID")!;
var roleId = Environment.GetEnvironmentVariable("CAE_ROLE_ID")!;
var apiUri = Environment.GetEnvironmentVariable("CAE_API_URI")!;
var events = int.Parse(Environment.GetEnvironmentVariable("CAE_EVENTS") ?? "200", System.Globalization.CultureInfo.InvariantCulture);
var apis = (Environment.GetEnvironmentVariable("CAE_APIS") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries)
    .Select(a => a.Split('=', 2)).Select(a => (Name: a[0], Url: a[1].TrimEnd('/'))).ToArray();
var timeout = TimeSpan.FromSeconds(30);

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(30) });
using var admin = new HttpClient { BaseAddress = new Uri(baseUrl + "/admin/v1/") };
admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);

async Task<JsonNode> AdminAsync(HttpMethod method, string path, object? body)
{
    using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
    using var response = await admin.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
    }

    return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
}

async Task<(string AppId, string Token)> DaemonAsync(int index)
{
    var app = await AdminAsync(HttpMethod.Post, "applications", new { displayName = $"CAE bench daemon {index}" });
    var appId = app["appId"]!.GetValue<string>();
    var secret = (await AdminAsync(HttpMethod.Post, $"applications/{app["id"]!.GetValue<string>()}/addPassword",
        new { passwordCredential = new { displayName = "bench" } }))["secretText"]!.GetValue<string>();
    await AdminAsync(HttpMethod.Post, $"servicePrincipals/{apiId}/appRoleAssignedTo", new { principalId = appId, resourceId = apiId, appRoleId = roleId });
    using var form = new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials", ["client_id"] = appId, ["client_secret"] = secret, ["scope"] = apiUri + "/.default",
    });
    using var response = await http.PostAsync($"{baseUrl}/{tenant}/oauth2/v2.0/token", form);
    var token = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["access_token"]!.GetValue<string>();
    return (appId, token);
}

async Task<HttpStatusCode> GetAsync(string api, string token)
{
    using var request = new HttpRequestMessage(HttpMethod.Get, api + "/tessera");
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var response = await http.SendAsync(request);
    return response.StatusCode;
}

Console.Error.WriteLine($"== registering {events} daemons");
var daemons = new (string AppId, string Token)[events];
using (var gate = new SemaphoreSlim(4))
{
    await Task.WhenAll(Enumerable.Range(0, events).Select(async i =>
    {
        await gate.WaitAsync();
        try { daemons[i] = await DaemonAsync(i); } finally { gate.Release(); }
    }));
}

var latencies = apis.ToDictionary(a => a.Name, _ => new List<double>());
var missed = apis.ToDictionary(a => a.Name, _ => 0);
Console.Error.WriteLine($"== {events} events, measured at {string.Join(", ", apis.Select(a => a.Name))}");
for (var i = 0; i < events; i++)
{
    var (appId, token) = daemons[i];
    foreach (var api in apis)
    {
        var warm = await GetAsync(api.Url, token);
        if (warm != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{api.Name} answers {(int)warm} to daemon {i} before its event");
        }
    }

    var clock = Stopwatch.StartNew();
    var change = AdminAsync(HttpMethod.Patch, $"servicePrincipals/{appId}", new { accountEnabled = false });
    var waits = apis.Select(async api =>
    {
        while (clock.Elapsed < timeout)
        {
            if (await GetAsync(api.Url, token) == HttpStatusCode.Unauthorized)
            {
                return (api.Name, Elapsed: (double?)clock.Elapsed.TotalMilliseconds);
            }

            await Task.Delay(1);
        }

        return (api.Name, Elapsed: (double?)null);
    }).ToArray();
    await change;
    foreach (var (name, elapsed) in await Task.WhenAll(waits))
    {
        if (elapsed is { } ms)
        {
            latencies[name].Add(ms);
        }
        else
        {
            missed[name]++;
        }
    }

    if ((i + 1) % 50 == 0)
    {
        Console.Error.WriteLine($"   {i + 1}/{events}");
    }
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

Console.WriteLine($"{"delivery",-8} {"events",6} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8} {"missed",6}   goal p99 < 1000 ms (push)");
foreach (var api in apis)
{
    var sorted = latencies[api.Name].Order().ToList();
    var p99 = Percentile(sorted, 0.99);
    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{api.Name,-8} {sorted.Count,6} {Percentile(sorted, 0.5),8:F0} {Percentile(sorted, 0.9),8:F0} {p99,8:F0} {(sorted.Count == 0 ? double.NaN : sorted[^1]),8:F0} {missed[api.Name],6}   {(p99 < 1000 && missed[api.Name] == 0 ? "PASS" : "MISS")}"));
}
