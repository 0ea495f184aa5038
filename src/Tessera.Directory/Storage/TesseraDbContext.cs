using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Tessera.Directory.Applications;
using Tessera.Directory.Audit;
using Tessera.Directory.ConditionalAccess;
using Tessera.Directory.Consent;
using Tessera.Directory.Groups;
using Tessera.Directory.Roles;
using Tessera.Directory.Keys;
using Tessera.Directory.Protection;
using Tessera.Directory.Sessions;
using Tessera.Directory.SharedSignals;
using Tessera.Directory.Tenants;
using Tessera.Directory.Users;

namespace Tessera.Directory.Storage;

/// <summary>
/// The one database of a Tessera deployment: directory objects, ASP.NET Core Identity, OpenIddict's protocol
/// state (clients, authorizations, tokens), signing keys and the Data Protection key ring.
/// Each storage provider has a subclass that only carries its migrations.
/// </summary>
public abstract class TesseraDbContext(DbContextOptions options)
    : IdentityDbContext<DirectoryUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<TenantDomain> TenantDomains => Set<TenantDomain>();
    public DbSet<Application> Applications => Set<Application>();
    public DbSet<PasswordCredential> PasswordCredentials => Set<PasswordCredential>();
    public DbSet<KeyCredential> KeyCredentials => Set<KeyCredential>();
    public DbSet<AppRoleAssignment> AppRoleAssignments => Set<AppRoleAssignment>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<ApplicationOwner> ApplicationOwners => Set<ApplicationOwner>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<DirectoryRoleAssignment> DirectoryRoleAssignments => Set<DirectoryRoleAssignment>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();
    public DbSet<SignInEvent> SignInEvents => Set<SignInEvent>();
    public DbSet<FederatedIdentityCredential> FederatedIdentityCredentials => Set<FederatedIdentityCredential>();
    public DbSet<OAuth2PermissionGrant> OAuth2PermissionGrants => Set<OAuth2PermissionGrant>();
    public DbSet<DelegatedPermissionClassification> DelegatedPermissionClassifications => Set<DelegatedPermissionClassification>();
    public DbSet<AdminConsentRequest> AdminConsentRequests => Set<AdminConsentRequest>();
    public DbSet<TenantServicePrincipal> TenantServicePrincipals => Set<TenantServicePrincipal>();
    public DbSet<ConditionalAccessPolicyEntry> ConditionalAccessPolicies => Set<ConditionalAccessPolicyEntry>();
    public DbSet<IpNamedLocationEntry> IpNamedLocations => Set<IpNamedLocationEntry>();
    public DbSet<AuthenticationContextEntry> AuthenticationContexts => Set<AuthenticationContextEntry>();
    public DbSet<AccountLockout> AccountLockouts => Set<AccountLockout>();
    public DbSet<RiskDetection> RiskDetections => Set<RiskDetection>();
    public DbSet<SignInSession> SignInSessions => Set<SignInSession>();
    public DbSet<StreamConfiguration> SignalStreams => Set<StreamConfiguration>();
    public DbSet<QueuedSecurityEvent> QueuedSecurityEvents => Set<QueuedSecurityEvent>();

    /// <summary>
    /// Identity's schema version: 3 adds the passkeys table. Identity reads it from <c>IdentityOptions.Stores</c> in the
    /// application's services, so <see cref="StorageRegistration"/> sets it there, and the design-time factories too.
    /// </summary>
    public static readonly Version IdentitySchema = IdentitySchemaVersions.Version3;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.OnModelCreating(builder);
        builder.UseOpenIddict();

        builder.Entity<Tenant>(tenant =>
        {
            tenant.Property(t => t.DisplayName).HasMaxLength(256);
            tenant.HasMany(t => t.Domains).WithOne().HasForeignKey(d => d.TenantId);
            tenant.Property(t => t.UserConsentPolicy).HasMaxLength(128);
            tenant.Property(t => t.ConcurrencyStamp).IsConcurrencyToken();
            tenant.PrimitiveCollection(t => t.BannedPasswords);
        });

        builder.Entity<AccountLockout>(lockout =>
        {
            lockout.HasKey(l => new { l.UserId, l.FamiliarSource });
            lockout.HasOne<DirectoryUser>().WithMany().HasForeignKey(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
            lockout.Property(l => l.RecentFailureHashes).HasMaxLength(AccountLockout.RecentFailureHashesLength);
            lockout.Property(l => l.ConcurrencyStamp).IsConcurrencyToken();
        });

        builder.Entity<RiskDetection>(risk =>
        {
            risk.HasIndex(r => new { r.TenantId, r.DetectedDateTime });
            risk.HasIndex(r => new { r.TenantId, r.SourcePrefix });
            risk.HasIndex(r => new { r.TenantId, r.UserId });
            risk.Property(r => r.UserPrincipalName).HasMaxLength(256);
            risk.Property(r => r.SourcePrefix).HasMaxLength(64);
            risk.Property(r => r.RiskEventType).HasMaxLength(64);
            risk.Property(r => r.RiskLevel).HasMaxLength(16);
            risk.Property(r => r.RiskState).HasMaxLength(32);
            risk.Property(r => r.Activity).HasMaxLength(16);
            risk.Property(r => r.IpAddress).HasMaxLength(64);
            risk.Property(r => r.AdditionalInfo).HasMaxLength(1024);
        });

        builder.Entity<TenantDomain>(domain =>
        {
            domain.HasKey(d => d.Name);
            domain.Property(d => d.Name).HasMaxLength(253);
        });

        builder.Entity<DirectoryUser>(user =>
        {
            user.HasIndex(u => u.TenantId);
            user.Property(u => u.DisplayName).HasMaxLength(256);
        });

        builder.Entity<Application>(app =>
        {
            app.HasIndex(a => a.AppId).IsUnique();
            app.Ignore(a => a.IsPublicClient);
            app.Ignore(a => a.AllRedirectUris);
            app.HasIndex(a => a.TenantId);
            app.Property(a => a.DisplayName).HasMaxLength(256);
            app.Property(a => a.SignInAudience).HasMaxLength(64);
            app.Property(a => a.ConcurrencyStamp).IsConcurrencyToken();
            app.OwnsMany(a => a.Oauth2PermissionScopes, scope => scope.ToJson());
            app.OwnsMany(a => a.AppRoles, role => role.ToJson());
            app.HasMany(a => a.PasswordCredentials).WithOne().HasForeignKey(c => c.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            app.HasMany(a => a.KeyCredentials).WithOne().HasForeignKey(c => c.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            app.HasMany(a => a.FederatedIdentityCredentials).WithOne().HasForeignKey(c => c.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            app.OwnsMany(a => a.RequiredResourceAccess, required =>
            {
                required.ToJson();
                required.OwnsMany(r => r.ResourceAccess);
            });
            app.OwnsOne(a => a.VerifiedPublisher, publisher => publisher.ToJson());
            app.Property(a => a.GroupMembershipClaims).HasMaxLength(32);
        });

        builder.Entity<FederatedIdentityCredential>(credential =>
        {
            credential.HasIndex(c => new { c.ApplicationId, c.Name }).IsUnique();
            credential.Property(c => c.Name).HasMaxLength(120);
            credential.Property(c => c.Issuer).HasMaxLength(600);
            credential.Property(c => c.Subject).HasMaxLength(600);
            credential.Property(c => c.Description).HasMaxLength(600);
        });

        builder.Entity<TenantServicePrincipal>(principal =>
        {
            principal.HasKey(p => new { p.TenantId, p.AppId });
            principal.HasIndex(p => p.AppId);
            principal.Property(p => p.ConcurrencyStamp).IsConcurrencyToken();
        });

        builder.Entity<OAuth2PermissionGrant>(grant =>
        {
            grant.Ignore(g => g.ScopeValues);
            grant.HasIndex(g => new { g.ClientId, g.ResourceId, g.PrincipalId }).IsUnique();
            grant.HasIndex(g => new { g.TenantId, g.PrincipalId });
            grant.Property(g => g.ConsentType).HasMaxLength(32);
            grant.Property(g => g.ConcurrencyStamp).IsConcurrencyToken();
        });

        builder.Entity<DelegatedPermissionClassification>(classification =>
        {
            classification.HasIndex(c => new { c.ResourceId, c.PermissionId }).IsUnique();
            classification.Property(c => c.PermissionName).HasMaxLength(256);
            classification.Property(c => c.Classification).HasMaxLength(16);
        });

        builder.Entity<AdminConsentRequest>(request =>
        {
            request.HasIndex(r => new { r.TenantId, r.Status });
            request.Property(r => r.Status).HasMaxLength(32);
            request.Property(r => r.Reason).HasMaxLength(1024);
            request.Property(r => r.ConcurrencyStamp).IsConcurrencyToken();
        });

        builder.Entity<ConditionalAccessPolicyEntry>(policy =>
        {
            policy.ToTable("ConditionalAccessPolicies");
            policy.HasIndex(p => p.TenantId);
            policy.Property(p => p.DisplayName).HasMaxLength(256);
            policy.Property(p => p.State).HasMaxLength(64);
            policy.Property(p => p.ConcurrencyStamp).IsConcurrencyToken();
        });

        builder.Entity<IpNamedLocationEntry>(location =>
        {
            location.ToTable("IpNamedLocations");
            location.HasIndex(l => l.TenantId);
            location.Property(l => l.DisplayName).HasMaxLength(256);
            location.Property(l => l.ConcurrencyStamp).IsConcurrencyToken();
        });

        builder.Entity<AuthenticationContextEntry>(context =>
        {
            context.ToTable("AuthenticationContexts");
            context.HasKey(c => new { c.TenantId, c.Id });
            context.Property(c => c.Id).HasMaxLength(3);
            context.Property(c => c.DisplayName).HasMaxLength(256);
            context.Property(c => c.Description).HasMaxLength(1024);
            context.Property(c => c.ConcurrencyStamp).IsConcurrencyToken();
        });

        builder.Entity<PasswordCredential>(credential => credential.HasKey(c => c.KeyId));
        builder.Entity<KeyCredential>(credential => credential.HasKey(c => c.KeyId));

        builder.Entity<AppRoleAssignment>(assignment =>
        {
            // One assignment per principal, API and role: a concurrent duplicate grant fails instead of doubling up.
            assignment.HasIndex(a => new { a.PrincipalId, a.ResourceAppId, a.AppRoleId }).IsUnique();
            assignment.HasIndex(a => a.ResourceAppId);
            assignment.Property(a => a.PrincipalType).HasMaxLength(32);
        });

        builder.Entity<ApplicationOwner>(owner =>
        {
            owner.HasKey(o => new { o.ApplicationId, o.OwnerId });
            owner.HasIndex(o => o.OwnerId);
            owner.Property(o => o.OwnerType).HasMaxLength(32);
            owner.HasOne<Application>().WithMany().HasForeignKey(o => o.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Group>(group =>
        {
            group.HasIndex(g => g.TenantId);
            group.Property(g => g.DisplayName).HasMaxLength(256);
            group.Property(g => g.ConcurrencyStamp).IsConcurrencyToken();
            group.HasMany(g => g.Members).WithOne().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<GroupMember>(member =>
        {
            member.HasKey(m => new { m.GroupId, m.MemberId });
            member.HasIndex(m => m.MemberId);
        });

        builder.Entity<DirectoryRoleAssignment>(assignment =>
        {
            assignment.HasIndex(a => new { a.TenantId, a.PrincipalId, a.RoleDefinitionId }).IsUnique();
        });

        builder.Entity<AuditEntry>(entry =>
        {
            entry.HasIndex(e => new { e.TenantId, e.Sequence }).IsUnique();
            entry.HasIndex(e => new { e.TenantId, e.ActivityDateTime });
            entry.Property(e => e.Category).HasMaxLength(64);
            entry.Property(e => e.ActivityDisplayName).HasMaxLength(128);
            entry.Property(e => e.Result).HasMaxLength(32);
            entry.Property(e => e.CorrelationId).HasMaxLength(64);
            entry.Property(e => e.PreviousHash).HasMaxLength(64);
            entry.Property(e => e.Hash).HasMaxLength(64);
        });

        builder.Entity<AuditChainHead>(head =>
        {
            head.HasKey(h => h.TenantId);
            head.Property(h => h.LastSequence).IsConcurrencyToken();
            head.Property(h => h.LastHash).HasMaxLength(64);
        });

        builder.Entity<SignInEvent>(signIn =>
        {
            signIn.HasIndex(e => new { e.TenantId, e.CreatedDateTime });
            signIn.HasIndex(e => new { e.TenantId, e.UserId });

            // Smart lockout asks "has this user signed in from this network?"; spray detection "what has this network tried?".
            signIn.HasIndex(e => new { e.UserId, e.SourcePrefix });
            signIn.HasIndex(e => new { e.TenantId, e.SourcePrefix, e.CreatedDateTime });
            signIn.Property(e => e.SourcePrefix).HasMaxLength(64).HasDefaultValue(string.Empty);
            signIn.Property(e => e.UserPrincipalName).HasMaxLength(SignInEvent.NameLength);
            signIn.Property(e => e.UserDisplayName).HasMaxLength(SignInEvent.NameLength);
            signIn.Property(e => e.AppDisplayName).HasMaxLength(SignInEvent.NameLength);
            signIn.Property(e => e.IpAddress).HasMaxLength(64);
            signIn.Property(e => e.UserAgent).HasMaxLength(SignInEvent.UserAgentLength);
            signIn.Property(e => e.ClientAppUsed).HasMaxLength(64);
            signIn.Property(e => e.FailureReason).HasMaxLength(SignInEvent.NameLength);
            signIn.Property(e => e.AuthenticationMethods).HasMaxLength(64);
            signIn.Property(e => e.SignInEventType).HasMaxLength(32);
            signIn.Property(e => e.AppliedConditionalAccessPolicies).HasMaxLength(SignInEvent.AppliedPoliciesLength);
            signIn.Property(e => e.CorrelationId).HasMaxLength(64);
        });

        builder.Entity<SignInSession>(session =>
        {
            session.HasIndex(s => new { s.UserId, s.EndedDateTime });
            session.HasIndex(s => s.TenantId);
            session.Property(s => s.IpAddress).HasMaxLength(64);
            session.Property(s => s.UserAgent).HasMaxLength(SignInSession.UserAgentLength);
            session.Property(s => s.AuthenticationMethods).HasMaxLength(SignInSession.MethodsLength);
            session.Property(s => s.EndReason).HasMaxLength(32);
        });

        builder.Entity<StreamConfiguration>(stream =>
        {
            stream.ToTable("SignalStreams");
            stream.HasIndex(s => new { s.TenantId, s.AppId });
            stream.Property(s => s.DeliveryMethod).HasMaxLength(64);
            stream.Property(s => s.EndpointUrl).HasMaxLength(StreamConfiguration.EndpointLength);
            stream.Property(s => s.Description).HasMaxLength(StreamConfiguration.DescriptionLength);
            stream.Property(s => s.Status).HasMaxLength(16);
            stream.Property(s => s.StatusReason).HasMaxLength(256);
            stream.PrimitiveCollection(s => s.EventsRequested);
            stream.Property(s => s.ConcurrencyStamp).IsConcurrencyToken();
        });

        builder.Entity<QueuedSecurityEvent>(queued =>
        {
            queued.HasIndex(q => new { q.StreamId, q.NextAttemptDateTime });
            queued.HasIndex(q => q.NextAttemptDateTime);
            queued.Property(q => q.EventType).HasMaxLength(QueuedSecurityEvent.EventTypeLength);
            queued.HasOne<StreamConfiguration>().WithMany().HasForeignKey(q => q.StreamId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<SigningKey>(key =>
        {
            key.Property(k => k.Id).HasMaxLength(64);
            key.Property(k => k.Algorithm).HasMaxLength(16);
            key.HasIndex(k => k.Generation).IsUnique();
        });
    }
}
