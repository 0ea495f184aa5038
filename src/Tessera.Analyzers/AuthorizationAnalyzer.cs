using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Tessera.Analyzers;

/// <summary>
/// Endpoints opened to anonymous callers among protected ones without a word why (TSA0013), and, in an API that validates
/// bearer tokens, authorization that asks for no scope nor role (TSA0014).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AuthorizationAnalyzer : DiagnosticAnalyzer
{
    private const string EndpointExtensions = "Microsoft.AspNetCore.Builder.AuthorizationEndpointConventionBuilderExtensions";
    private const string AuthorizeAttribute = "Microsoft.AspNetCore.Authorization.AuthorizeAttribute";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Rules.UnjustifiedAnonymous, Rules.AuthorizeWithoutRequirement);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var bearerApi = new BearerApi();
            var bare = new ConcurrentBag<(Location Location, string What)>();
            start.RegisterOperationAction(c => AnalyzeInvocation(c, bearerApi, bare), OperationKind.Invocation);
            start.RegisterSymbolAction(c => CollectAttributes(c, bare), SymbolKind.NamedType, SymbolKind.Method);
            start.RegisterCompilationEndAction(end =>
            {
                if (!bearerApi.Seen)
                {
                    return;
                }
                foreach (var (location, what) in bare)
                {
                    end.ReportDiagnostic(Diagnostic.Create(Rules.AuthorizeWithoutRequirement, location, what));
                }
            });
        });
    }

    /// <summary>Set when the compilation adds bearer-token authentication (Tessera's SDK, JwtBearer, Microsoft.Identity.Web).</summary>
    private sealed class BearerApi
    {
        private int seen;
        public bool Seen => System.Threading.Volatile.Read(ref seen) == 1;
        public void Mark() => System.Threading.Interlocked.Exchange(ref seen, 1);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, BearerApi bearerApi, ConcurrentBag<(Location, string)> bare)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name is "AddTesseraApi" or "AddJwtBearer" or "AddMicrosoftIdentityWebApi")
        {
            bearerApi.Mark();
            return;
        }
        if (!method.ContainingType.IsType(EndpointExtensions))
        {
            return;
        }
        if (method.Name == "RequireAuthorization" && invocation.Arguments.Skip(1).All(a => a.ArgumentKind == ArgumentKind.DefaultValue || IsEmptyParams(a)))
        {
            bare.Add((NameLocation(invocation), "RequireAuthorization()"));
        }
        else if (method.Name == "AllowAnonymous" && !IsJustified(invocation.Syntax) && HasProtectedSibling(invocation.Syntax, invocation.SemanticModel!))
        {
            context.ReportDiagnostic(Diagnostic.Create(Rules.UnjustifiedAnonymous, NameLocation(invocation)));
        }
    }

    private static bool IsEmptyParams(IArgumentOperation argument) =>
        argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer.ElementValues.Length: 0 };

    private static void CollectAttributes(SymbolAnalysisContext context, ConcurrentBag<(Location, string)> bare)
    {
        foreach (var attribute in context.Symbol.GetAttributes())
        {
            if (attribute.AttributeClass.IsType(AuthorizeAttribute)
                && attribute.ConstructorArguments.Length == 0
                && !attribute.NamedArguments.Any(a => a.Key is "Roles" or "Policy")
                && attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is { } syntax)
            {
                bare.Add((syntax.GetLocation(), "[Authorize]"));
            }
        }
    }

    private static Location NameLocation(IInvocationOperation invocation) =>
        invocation.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member }
            ? member.Name.GetLocation()
            : invocation.Syntax.GetLocation();

    /// <summary>A comment on the statement (above it, inside it or at the end of its line) says why the endpoint is open.</summary>
    private static bool IsJustified(SyntaxNode node)
    {
        var statement = node.FirstAncestorOrSelf<StatementSyntax>() ?? node;
        return statement.DescendantTrivia(descendIntoTrivia: true).Concat(statement.GetLeadingTrivia()).Concat(statement.GetTrailingTrivia())
            .Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia)
                      || t.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia));
    }

    /// <summary>Another endpoint or group in the same method (or the same top-level program) requires authorization.</summary>
    private static bool HasProtectedSibling(SyntaxNode node, SemanticModel model)
    {
        SyntaxNode scope = node.Ancestors().FirstOrDefault(a => a is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or CompilationUnitSyntax)
                           ?? node.SyntaxTree.GetRoot();
        return scope.DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Any(i => i.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "RequireAuthorization" }
                      && model.GetSymbolInfo(i).Symbol is IMethodSymbol method && method.ContainingType.IsType(EndpointExtensions));
    }
}
