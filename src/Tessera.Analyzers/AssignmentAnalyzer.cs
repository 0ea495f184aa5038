using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Tessera.Analyzers;

/// <summary>
/// Settings written as property assignments (<c>options.X = ...</c> or <c>new T { X = ... }</c>): token validation turned off,
/// accept-all validators, weak algorithms, implicit flow, PKCE off, secrets in literals, certificate callbacks that trust everything.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AssignmentAnalyzer : DiagnosticAnalyzer
{
    private const string TokenValidationParameters = "Microsoft.IdentityModel.Tokens.TokenValidationParameters";

    /// <summary>The switches of TokenValidationParameters that must stay on, and what a token may then carry.</summary>
    private static readonly Dictionary<string, string> ValidationSwitches = new(StringComparer.Ordinal)
    {
        ["ValidateIssuer"] = "issuer",
        ["ValidateAudience"] = "audience",
        ["ValidateLifetime"] = "expiry date",
        ["ValidateIssuerSigningKey"] = "signing key",
        ["RequireSignedTokens"] = "signature, or none at all,",
        ["RequireExpirationTime"] = "lifetime, or none at all,",
        ["RequireAudience"] = "audience, or none at all,",
    };

    /// <summary>Validators that return the accepted value; accepting everything means never throwing nor branching.</summary>
    private static readonly ImmutableHashSet<string> ValueValidators = ImmutableHashSet.Create("SignatureValidator", "IssuerValidator");

    /// <summary>Validators that return a bool; accepting everything means always returning true.</summary>
    private static readonly ImmutableHashSet<string> BoolValidators =
        ImmutableHashSet.Create("AudienceValidator", "LifetimeValidator", "IssuerSigningKeyValidator");

    private static readonly char[] Space = [' '];

    private static readonly ImmutableHashSet<string> CertificateCallbacks =
        ImmutableHashSet.Create("ServerCertificateCustomValidationCallback", "RemoteCertificateValidationCallback", "ServerCertificateValidationCallback");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Rules.ValidationDisabled, Rules.HttpsMetadataDisabled, Rules.AcceptAllValidator, Rules.WeakAlgorithm,
        Rules.ImplicitFlow, Rules.PkceDisabled, Rules.SecretLiteral, Rules.TrustAnyCertificate);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(Analyze, OperationKind.SimpleAssignment);
    }

    private static void Analyze(OperationAnalysisContext context)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (assignment.AssignedProperty() is not { } property)
        {
            return;
        }
        var owner = property.ContainingType;
        var value = assignment.Value;
        var constant = value.Constant();
        var location = assignment.Syntax.GetLocation();

        if (owner.IsType(TokenValidationParameters))
        {
            if (constant is false && ValidationSwitches.TryGetValue(property.Name, out var what))
            {
                context.ReportDiagnostic(Diagnostic.Create(Rules.ValidationDisabled, location, property.Name, what));
            }
            else if (value.Lambda() is { } lambda
                     && ((ValueValidators.Contains(property.Name) && lambda.NeverRejects())
                         || (BoolValidators.Contains(property.Name) && lambda.AlwaysReturnsTrue())))
            {
                context.ReportDiagnostic(Diagnostic.Create(Rules.AcceptAllValidator, location, property.Name));
            }
            else if (property.Name == "ValidAlgorithms")
            {
                foreach (var algorithm in value.DescendantsAndSelf().Select(o => o.Constant()).OfType<string>().Where(IsWeakAlgorithm).Distinct())
                {
                    context.ReportDiagnostic(Diagnostic.Create(Rules.WeakAlgorithm, location, algorithm));
                }
            }
            return;
        }

        switch (property.Name)
        {
            case "RequireHttpsMetadata" when constant is false && property.IsIn("Microsoft.AspNetCore.Authentication")
                                             && !Symbols.IsUnderDevelopmentCheck(assignment.Syntax, assignment.SemanticModel!):
                context.ReportDiagnostic(Diagnostic.Create(Rules.HttpsMetadataDisabled, location));
                break;
            case "UsePkce" when constant is false:
                context.ReportDiagnostic(Diagnostic.Create(Rules.PkceDisabled, location));
                break;
            case "ResponseType" when constant is string responseType && IsImplicit(responseType):
                context.ReportDiagnostic(Diagnostic.Create(Rules.ImplicitFlow, value.Syntax.GetLocation(), responseType));
                break;
            case "ClientSecret" when constant is string { Length: > 0 }:
                context.ReportDiagnostic(Diagnostic.Create(Rules.SecretLiteral, value.Syntax.GetLocation()));
                break;
            case var name when CertificateCallbacks.Contains(name) && value.Lambda() is { } callback && callback.AlwaysReturnsTrue():
                context.ReportDiagnostic(Diagnostic.Create(Rules.TrustAnyCertificate, location, name));
                break;
        }
    }

    /// <summary>"none", the HMAC algorithms by their JWA names (HS256...) and by their XML-DSig URIs.</summary>
    internal static bool IsWeakAlgorithm(string algorithm) =>
        algorithm.Equals("none", StringComparison.OrdinalIgnoreCase)
        || algorithm.StartsWith("HS", StringComparison.OrdinalIgnoreCase)
        || algorithm.IndexOf("hmac", StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>A response type is implicit when one of its space-separated values is "token" or "id_token" without "code".</summary>
    internal static bool IsImplicit(string responseType)
    {
        var parts = responseType.Split(Space, StringSplitOptions.RemoveEmptyEntries);
        return parts.Contains("token", StringComparer.Ordinal) || (parts.Contains("id_token", StringComparer.Ordinal) && !parts.Contains("code", StringComparer.Ordinal));
    }
}
