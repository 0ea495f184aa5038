using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Tessera.Analyzers.CodeFixes;

/// <summary>
/// The mechanical fixes: a switch set to false is set back to true (TSA0001, TSA0002, TSA0007), an implicit response type becomes
/// "code" (TSA0006), the Exportable flag is dropped (TSA0011), an accept-everything certificate callback is removed (TSA0012).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SecureSettingCodeFix)), Shared]
public sealed class SecureSettingCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create("TSA0001", "TSA0002", "TSA0006", "TSA0007", "TSA0011", "TSA0012");

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var (title, fixedRoot) = diagnostic.Id switch
            {
                "TSA0001" or "TSA0002" or "TSA0007" => ("Set to true", SetTrue(root, node)),
                "TSA0006" => ("Use the authorization code flow (\"code\")", UseCode(root, node)),
                "TSA0011" => ("Load the key as not exportable", DropExportable(root, node)),
                "TSA0012" => ("Remove the callback: validate certificates normally", RemoveAssignment(root, node)),
                _ => (string.Empty, null),
            };
            if (fixedRoot is not null)
            {
                var document = context.Document.WithSyntaxRoot(fixedRoot);
                context.RegisterCodeFix(
                    CodeAction.Create(title, (CancellationToken _) => Task.FromResult(document), equivalenceKey: diagnostic.Id + title),
                    diagnostic);
            }
        }
    }

    private static SyntaxNode? SetTrue(SyntaxNode root, SyntaxNode node) =>
        node.FirstAncestorOrSelf<AssignmentExpressionSyntax>() is { } assignment
            ? root.ReplaceNode(assignment.Right, SyntaxFactory.LiteralExpression(SyntaxKind.TrueLiteralExpression).WithTriviaFrom(assignment.Right))
            : null;

    private static SyntaxNode UseCode(SyntaxNode root, SyntaxNode node) =>
        root.ReplaceNode(node, SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal("code")).WithTriviaFrom(node));

    private static SyntaxNode? DropExportable(SyntaxNode root, SyntaxNode node)
    {
        if (node.Parent is BinaryExpressionSyntax binary && binary.IsKind(SyntaxKind.BitwiseOrExpression))
        {
            var other = binary.Left == node ? binary.Right : binary.Left;
            return root.ReplaceNode(binary, other.WithTriviaFrom(binary));
        }
        return node is MemberAccessExpressionSyntax member
            ? root.ReplaceNode(member.Name, SyntaxFactory.IdentifierName("DefaultKeySet").WithTriviaFrom(member.Name))
            : null;
    }

    private static SyntaxNode? RemoveAssignment(SyntaxNode root, SyntaxNode node)
    {
        var assignment = node.FirstAncestorOrSelf<AssignmentExpressionSyntax>();
        SyntaxNode? target = assignment?.Parent switch
        {
            ExpressionStatementSyntax statement => statement,
            InitializerExpressionSyntax => assignment,
            _ => null,
        };
        return target is null ? null : root.RemoveNode(target, SyntaxRemoveOptions.KeepNoTrivia);
    }
}
