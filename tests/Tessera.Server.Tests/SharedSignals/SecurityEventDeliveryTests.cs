using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tessera.Server.Tests.Admin;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.SharedSignals;

/// <summary>
/// Directory changes become Security Event Tokens that reach receivers: pushed to a real receiver on loopback that
/// validates them against the tenant's keys, or polled; a receiver that was down catches up.
/// </summary>
public sealed class SecurityEventDeliveryTests(TesseraServerFixture server) : IClassFixture<TesseraServerFixture>
{
    private const string AccountDisabled = "https://schemas.openid.net/secevent/risc/event-type/account-disabled";
    private const string AccountPurged = "https://schemas.openid.net/secevent/risc/event-type/account-purged";
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    private const string CredentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    private const string TokenClaimsChange = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change";
    private const string AssuranceLevelChange = "https://schemas.openid.net/secevent/caep/event-type/assurance-level-change";
    private const string Verification = "https://schemas.openid.net/secevent/ssf/event-type/verification";

    public static TheoryData<string> UserChanges => ["disable", "password", "revoke", "delete", "compromised"];

    [Theory]
    [MemberData(nameof(UserChanges))]
    public async Task UserChange_ByAdministrator_IsPushedAsOneValidatedSet(string change)
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        await using var receiver = await StartReceiverAsync(receiverApp);
        var streamId = Guid.Parse(await receiverApp.CreatePushStreamAsync(receiver.Endpoint, "Bearer receiver-secret"));
        using var admin = change == "compromised"
            ? await AdminClient.WithPermissionsAsync(server, Tessera.Policy.Admin.AdminPermissions.IdentityRiskyUserReadWriteAll)
            : await AdminClient.BootstrapAsync(server);
        var user = await server.Directory.CreateUserAsync();

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (status, expectedType) = change switch
        {
            "disable" => ((await admin.JsonAsync(HttpMethod.Patch, $"users/{user.Id}", new { accountEnabled = false })).Status, AccountDisabled),
            "password" => ((await admin.JsonAsync(HttpMethod.Patch, $"users/{user.Id}", new { passwordProfile = new { password = "a new and long passphrase 42" } })).Status, CredentialChange),
            "revoke" => ((await admin.JsonAsync(HttpMethod.Post, $"users/{user.Id}/revokeSignInSessions")).Status, SessionRevoked),
            "compromised" => ((await admin.JsonAsync(HttpMethod.Post, "identityProtection/riskyUsers/confirmCompromised", new { userIds = new[] { user.Id } })).Status, SessionRevoked),
            _ => ((await admin.JsonAsync(HttpMethod.Delete, $"users/{user.Id}")).Status, AccountPurged),
        };
        Assert.True(status is HttpStatusCode.NoContent or HttpStatusCode.OK, status.ToString());

        var set = await receiver.NextAsync();
        var (type, payload) = SingleEvent(set);
        Assert.Equal(expectedType, type);
        AssertSubject(set, user.Id);
        Assert.InRange(payload["event_timestamp"]!.GetValue<long>(), before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal("admin", payload["initiating_entity"]!.GetValue<string>());
        Assert.NotNull(payload["reason_admin"]!["en"]);
        if (change == "password")
        {
            Assert.Equal("password", payload["credential_type"]!.GetValue<string>());
            Assert.Equal("update", payload["change_type"]!.GetValue<string>());
        }

        Assert.Equal("secevent+jwt", set.Typ);
        Assert.Equal("Bearer receiver-secret", receiver.Authorizations.Last());
        Assert.Null(await receiver.TryNextAsync(TimeSpan.FromMilliseconds(300)));
        await WaitUntilAsync(async () => await QueuedAsync(streamId) == 0);
    }

    [Fact]
    public async Task SecurityInfoChanges_ByThePerson_ArePushedAsCredentialAndAssuranceChanges()
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        await using var receiver = await StartReceiverAsync(receiverApp);
        await receiverApp.CreatePushStreamAsync(receiver.Endpoint);
        var user = await server.Directory.CreateUserAsync();
        using var browser = new UserAgent(server);
        await Mfa.SecurityInfoPages.SignInAsync(browser, server, user.UserName!);

        await Mfa.SecurityInfoPages.SetUpAuthenticatorAsync(browser, server);
        var added = await receiver.NextAsync();
        var (addedType, addedPayload) = SingleEvent(added);
        Assert.Equal(CredentialChange, addedType);
        AssertSubject(added, user.Id);
        Assert.Equal(["app", "create", "user"], [addedPayload["credential_type"]!.GetValue<string>(), addedPayload["change_type"]!.GetValue<string>(), addedPayload["initiating_entity"]!.GetValue<string>()]);
        var stronger = await receiver.NextAsync();
        AssertSubject(stronger, user.Id);
        AssertAssurance(stronger, "nist-aal1", "nist-aal2", "increase");

        // New recovery codes stand in for the same app: no change of level.
        await Mfa.SecurityInfoPages.PostAsync(browser, server, "recoveryCodes");
        Assert.Equal("recovery-code", SingleEvent(await receiver.NextAsync()).Payload["credential_type"]!.GetValue<string>());

        await Mfa.SecurityInfoPages.PostAsync(browser, server, "removeAuthenticator");
        var (_, removedPayload) = SingleEvent(await receiver.NextAsync());
        Assert.Equal("delete", removedPayload["change_type"]!.GetValue<string>());
        AssertAssurance(await receiver.NextAsync(), "nist-aal2", "nist-aal1", "decrease");
        Assert.Null(await receiver.TryNextAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task ConsentForEveryUser_ScopeRemovedThenGrantDeleted_OnlyTheApisStreamsHearTheClient()
    {
        using var apiReceiver = await SignalReceiverClient.RegisterAsync(server, "api://signals-" + Guid.NewGuid().ToString("N")[..6]);
        using var otherReceiver = await SignalReceiverClient.RegisterAsync(server);
        await using var receiver = await StartReceiverAsync(apiReceiver);
        await using var other = await StartReceiverAsync(otherReceiver);
        await apiReceiver.CreatePushStreamAsync(receiver.Endpoint);
        await otherReceiver.CreatePushStreamAsync(other.Endpoint);
        using var admin = await AdminClient.BootstrapAsync(server);
        var client = await server.Directory.RegisterAsync(new Tessera.Server.Directory.NewApplication("consented client"));
        await server.Directory.GrantConsentAsync(client.AppId, apiReceiver.AppId, "Orders.Read");
        var grant = await server.Directory.QueryAsync(db => db.OAuth2PermissionGrants.Where(g => g.ClientId == client.AppId).Select(g => g.Id).SingleAsync());

        // Adding a scope takes nothing away: no event.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"oauth2PermissionGrants/{grant}", new { scope = "Orders.Read Orders.ReadWrite" })).Status);
        Assert.Null(await receiver.TryNextAsync(TimeSpan.FromMilliseconds(300)));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Patch, $"oauth2PermissionGrants/{grant}", new { scope = "Orders.Read" })).Status);
        AssertClientConsentRemoved(await receiver.NextAsync(), client.AppId);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.JsonAsync(HttpMethod.Delete, $"oauth2PermissionGrants/{grant}")).Status);
        AssertClientConsentRemoved(await receiver.NextAsync(), client.AppId);
        Assert.Null(await other.TryNextAsync(TimeSpan.FromMilliseconds(300)));
    }

    private static void AssertAssurance(JsonWebToken set, string previous, string current, string direction)
    {
        var (type, payload) = SingleEvent(set);
        Assert.Equal(AssuranceLevelChange, type);
        Assert.Equal(
            ["NIST-AAL", previous, current, direction],
            [payload["namespace"]!.GetValue<string>(), payload["previous_level"]!.GetValue<string>(), payload["current_level"]!.GetValue<string>(), payload["change_direction"]!.GetValue<string>()]);
        Assert.True(payload["event_timestamp"]!.GetValue<long>() > 0);
    }

    private static void AssertClientConsentRemoved(JsonWebToken set, Guid clientId)
    {
        var (type, payload) = SingleEvent(set);
        Assert.Equal(TokenClaimsChange, type);
        Assert.True(payload["claims"]!.AsObject().ContainsKey("scp"));
        var subId = Payload(set)["sub_id"]!;
        Assert.Equal("complex", subId["format"]!.GetValue<string>());
        Assert.Equal("opaque", subId["application"]!["format"]!.GetValue<string>());
        Assert.Equal(clientId.ToString("D"), subId["application"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServicePrincipalDisabled_AppRoleAssignmentRemoved_ArePushed()
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        await using var receiver = await StartReceiverAsync(receiverApp);
        await receiverApp.CreatePushStreamAsync(receiver.Endpoint);
        using var admin = await AdminClient.BootstrapAsync(server);

        var api = await server.Directory.RegisterApiAsync("api://signals-" + Guid.NewGuid().ToString("N")[..6]);
        var daemon = await server.Directory.RegisterAsync(new Tessera.Server.Directory.NewApplication("daemon"));
        await server.Directory.AssignAsync(daemon.AppId, "ServicePrincipal", api.AppId, "Orders.Read.All");
        var assignment = await server.Directory.QueryAsync(db => db.AppRoleAssignments.Where(a => a.PrincipalId == daemon.AppId).Select(a => a.Id).SingleAsync());

        var (removed, _) = await admin.JsonAsync(HttpMethod.Delete, $"servicePrincipals/{api.AppId}/appRoleAssignedTo/{assignment}");
        Assert.Equal(HttpStatusCode.NoContent, removed);
        var claims = await receiver.NextAsync();
        Assert.Equal(TokenClaimsChange, SingleEvent(claims).Type);
        AssertSubject(claims, daemon.AppId);

        var (disabled, _) = await admin.JsonAsync(HttpMethod.Patch, $"servicePrincipals/{daemon.AppId}", new { accountEnabled = false });
        Assert.Equal(HttpStatusCode.NoContent, disabled);
        var set = await receiver.NextAsync();
        Assert.Equal(AccountDisabled, SingleEvent(set).Type);
        AssertSubject(set, daemon.AppId);
    }

    [Fact]
    public async Task Stream_RequestingOneType_GetsOnlyThatType()
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        await using var receiver = await StartReceiverAsync(receiverApp);
        var (created, _) = await receiverApp.SendAsync(HttpMethod.Post, "ssf/streams", new
        {
            delivery = new { method = SignalReceiverClient.PushMethod, endpoint_url = receiver.Endpoint },
            events_requested = new[] { AccountDisabled },
        });
        Assert.Equal(HttpStatusCode.Created, created);
        using var admin = await AdminClient.BootstrapAsync(server);
        var user = await server.Directory.CreateUserAsync();

        await admin.JsonAsync(HttpMethod.Post, $"users/{user.Id}/revokeSignInSessions");
        await admin.JsonAsync(HttpMethod.Patch, $"users/{user.Id}", new { accountEnabled = false });
        var set = await receiver.NextAsync();
        Assert.Equal(AccountDisabled, SingleEvent(set).Type);
        Assert.Null(await receiver.TryNextAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Verification_IsPushedWithTheState()
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        await using var receiver = await StartReceiverAsync(receiverApp);
        var streamId = await receiverApp.CreatePushStreamAsync(receiver.Endpoint);
        var (status, _) = await receiverApp.SendAsync(HttpMethod.Post, "ssf/verify", new { stream_id = streamId, state = "state-123" });
        Assert.Equal(HttpStatusCode.NoContent, status);
        var set = await receiver.NextAsync();
        var (type, payload) = SingleEvent(set);
        Assert.Equal(Verification, type);
        Assert.Equal("state-123", payload["state"]!.GetValue<string>());
        Assert.Equal(streamId, Payload(set)["sub_id"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Poll_UnacknowledgedSetsComeBack_AcknowledgedOnesDoNot()
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        var streamId = await receiverApp.CreatePollStreamAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var first = await server.Directory.CreateUserAsync();
        var second = await server.Directory.CreateUserAsync();
        await admin.JsonAsync(HttpMethod.Post, $"users/{first.Id}/revokeSignInSessions");
        await admin.JsonAsync(HttpMethod.Post, $"users/{second.Id}/revokeSignInSessions");

        var page = await receiverApp.PollAsync(streamId, new { maxEvents = 1, returnImmediately = true });
        var sets = page["sets"]!.AsObject();
        Assert.Single(sets);
        Assert.True(page["moreAvailable"]!.GetValue<bool>());
        var firstJti = sets.Single().Key;
        var firstSet = await ValidateAsync(sets.Single().Value!.GetValue<string>(), receiverApp.AppId);
        Assert.Equal(firstJti, firstSet.Id);
        AssertSubject(firstSet, first.Id);

        // Not acknowledged: delivered again.
        var again = await receiverApp.PollAsync(streamId, new { returnImmediately = true });
        Assert.Equal([firstJti, again["sets"]!.AsObject().Last().Key], again["sets"]!.AsObject().Select(s => s.Key));
        Assert.False(again["moreAvailable"]!.GetValue<bool>());

        var all = again["sets"]!.AsObject().Select(s => s.Key).ToArray();
        var acknowledged = await receiverApp.PollAsync(streamId, new { ack = all, returnImmediately = true });
        Assert.Empty(acknowledged["sets"]!.AsObject());
        Assert.Equal(0, await QueuedAsync(Guid.Parse(streamId)));
    }

    [Fact]
    public async Task Poll_LongPoll_AnswersWhenAnEventIsQueued()
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        var streamId = await receiverApp.CreatePollStreamAsync();
        using var admin = await AdminClient.BootstrapAsync(server);
        var user = await server.Directory.CreateUserAsync();

        var waiting = receiverApp.PollAsync(streamId, new { returnImmediately = false });
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        await admin.JsonAsync(HttpMethod.Patch, $"users/{user.Id}", new { accountEnabled = false });
        var page = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        var set = await ValidateAsync(page["sets"]!.AsObject().Single().Value!.GetValue<string>(), receiverApp.AppId);
        Assert.Equal(AccountDisabled, SingleEvent(set).Type);
    }

    [Theory]
    [InlineData("""{"ack":"not-an-array"}""")]
    [InlineData("""{"maxEvents":-1}""")]
    [InlineData("""{"maxEvents":"ten"}""")]
    [InlineData("""{"returnImmediately":"yes"}""")]
    [InlineData("""{"setErrs":{"not-a-jti":{"err":"x"}}}""")]
    public async Task Poll_BadBody_Is400(string body)
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        var streamId = await receiverApp.CreatePollStreamAsync();
        var (status, json) = await receiverApp.SendAsync(HttpMethod.Post, $"ssf/poll/{streamId}", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("TSR8005", json!["error_description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receiver_DownThenUp_CatchesUpInOrder()
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        var receiver = await StartReceiverAsync(receiverApp);
        await using var _ = receiver;
        var streamId = Guid.Parse(await receiverApp.CreatePushStreamAsync(receiver.Endpoint));
        await receiver.StopAsync();

        using var admin = await AdminClient.BootstrapAsync(server);
        var users = new[] { await server.Directory.CreateUserAsync(), await server.Directory.CreateUserAsync() };
        foreach (var user in users)
        {
            await admin.JsonAsync(HttpMethod.Post, $"users/{user.Id}/revokeSignInSessions");
        }

        // The push failed at least once while the receiver was down; the SETs wait in the database.
        await WaitUntilAsync(() => server.Directory.QueryAsync(db => db.QueuedSecurityEvents.AnyAsync(q => q.StreamId == streamId && q.Attempts > 0)));
        Assert.Equal(2, await server.Directory.QueryAsync(db => db.QueuedSecurityEvents.CountAsync(q => q.StreamId == streamId)));

        await receiver.StartAsync();
        var received = new[] { await receiver.NextAsync(TimeSpan.FromSeconds(20)), await receiver.NextAsync(TimeSpan.FromSeconds(20)) };
        Assert.Equal(users.Select(u => u.Id.ToString("D")), received.Select(s => Payload(s)["sub_id"]!["sub"]!.GetValue<string>()));
        await WaitUntilAsync(async () => await QueuedAsync(streamId) == 0);
    }

    [Fact]
    public async Task Receiver_Answering400_DropsTheSet()
    {
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        using var otherApp = await SignalReceiverClient.RegisterAsync(server);

        // The receiver expects another audience, so it refuses every SET of this stream with 400.
        await using var receiver = await StartReceiverAsync(otherApp);
        var streamId = Guid.Parse(await receiverApp.CreatePushStreamAsync(receiver.Endpoint));
        using var admin = await AdminClient.BootstrapAsync(server);
        var user = await server.Directory.CreateUserAsync();
        await admin.JsonAsync(HttpMethod.Post, $"users/{user.Id}/revokeSignInSessions");

        await WaitUntilAsync(async () => await QueuedAsync(streamId) == 0);
        Assert.Null(await receiver.TryNextAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task TwoNodes_OneDatabase_DeliverEachSetOncePerStream()
    {
        await using var second = await TesseraServerFixture.StartServerAsync(server.DataPath, server.StorageArguments);
        using var receiverApp = await SignalReceiverClient.RegisterAsync(server);
        await using var receiver = await StartReceiverAsync(receiverApp);
        await receiverApp.CreatePushStreamAsync(receiver.Endpoint);
        using var admin = await AdminClient.BootstrapAsync(server);

        const int Count = 12;
        var users = new List<Guid>();
        for (var i = 0; i < Count; i++)
        {
            users.Add((await server.Directory.CreateUserAsync()).Id);
        }

        await Task.WhenAll(users.Select(id => admin.JsonAsync(HttpMethod.Post, $"users/{id}/revokeSignInSessions")));
        var received = new List<JsonWebToken>();
        for (var i = 0; i < Count; i++)
        {
            received.Add(await receiver.NextAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.Null(await receiver.TryNextAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(Count, received.Select(s => s.Id).Distinct().Count());
        Assert.Equal(users.Select(u => u.ToString("D")).Order(), received.Select(s => Payload(s)["sub_id"]!["sub"]!.GetValue<string>()).Order());
    }

    private Task<SetReceiver> StartReceiverAsync(SignalReceiverClient app)
        => SetReceiver.StartAsync(server.Authority, app.AppId.ToString("D"), $"{server.TenantBase}/discovery/v2.0/keys");

    private async Task<JsonWebToken> ValidateAsync(string token, Guid audience)
    {
        using var http = server.CreateHttpClient();
        var keys = new JsonWebKeySet(await http.GetStringAsync($"{server.TenantBase}/discovery/v2.0/keys")).GetSigningKeys();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = server.Authority, ValidAudience = audience.ToString("D"), IssuerSigningKeys = keys, ValidTypes = ["secevent+jwt"],
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    private Task<int> QueuedAsync(Guid streamId) => server.Directory.QueryAsync(db => db.QueuedSecurityEvents.CountAsync(q => q.StreamId == streamId));

    private static JsonObject Payload(JsonWebToken set) => JsonNode.Parse(Base64UrlEncoder.Decode(set.EncodedPayload))!.AsObject();

    private static (string Type, JsonObject Payload) SingleEvent(JsonWebToken set)
    {
        var events = Payload(set)["events"]!.AsObject();
        var single = Assert.Single(events);
        return (single.Key, single.Value!.AsObject());
    }

    private void AssertSubject(JsonWebToken set, Guid subject)
    {
        var subId = Payload(set)["sub_id"]!;
        Assert.Equal("iss_sub", subId["format"]!.GetValue<string>());
        Assert.Equal(server.Authority, subId["iss"]!.GetValue<string>());
        Assert.Equal(subject.ToString("D"), subId["sub"]!.GetValue<string>());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not come true in time.");
            await Task.Delay(100);
        }
    }
}
