using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Tessera.Analyzers;

/// <summary>
/// Calls and members that are risky wherever they appear: the password grant, client secrets passed as literals, exportable
/// private keys, the handler's accept-any-certificate validator.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReferenceAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Rules.PasswordGrant, Rules.SecretLiteral, Rules.ExportableKey, Rules.TrustAnyCertificate);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeInvocation, OperationKind.Invocation);
        context.RegisterOperationAction(AnalyzeField, OperationKind.FieldReference);
        context.RegisterOperationAction(AnalyzeProperty, OperationKind.PropertyReference);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name == "AcquireTokenByUsernamePassword" && method.IsIn("Microsoft.Identity.Client"))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.PasswordGrant, invocation.Syntax.GetLocation()));
        }
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { Name: "clientSecret" } && argument.Value.Constant() is string { Length: > 0 })
            {
                context.ReportDiagnostic(Diagnostic.Create(Rules.SecretLiteral, argument.Value.Syntax.GetLocation()));
            }
        }
    }

    private static void AnalyzeField(OperationAnalysisContext context)
    {
        var field = ((IFieldReferenceOperation)context.Operation).Field;
        if (field.Name == "Exportable" && field.ContainingType.IsType("System.Security.Cryptography.X509Certificates.X509KeyStorageFlags"))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.ExportableKey, context.Operation.Syntax.GetLocation()));
        }
    }

    private static void AnalyzeProperty(OperationAnalysisContext context)
    {
        var property = ((IPropertyReferenceOperation)context.Operation).Property;
        if (property.Name == "DangerousAcceptAnyServerCertificateValidator" && property.ContainingType.IsType("System.Net.Http.HttpClientHandler"))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.TrustAnyCertificate, context.Operation.Syntax.GetLocation(), property.Name));
        }
    }
}
