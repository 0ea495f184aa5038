using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Tessera.Analyzers;

/// <summary>Matching on symbols (the type a property belongs to, the namespace of a method), never on source text.</summary>
internal static class Symbols
{
    public static bool IsIn(this ISymbol symbol, string namespacePrefix)
    {
        var name = symbol.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return name == namespacePrefix || name.StartsWith(namespacePrefix + ".", StringComparison.Ordinal);
    }

    public static bool IsType(this ITypeSymbol? type, string fullName) =>
        type is not null && type.ToDisplayString() == fullName;

    /// <summary>The property assigned by <c>x.P = value</c> or an object initializer <c>{ P = value }</c>, or null.</summary>
    public static IPropertySymbol? AssignedProperty(this ISimpleAssignmentOperation assignment) =>
        (assignment.Target as IPropertyReferenceOperation)?.Property;

    public static object? Constant(this IOperation operation)
    {
        var value = operation.ConstantValue;
        if (value.HasValue)
        {
            return value.Value;
        }
        return operation is IConversionOperation conversion ? conversion.Operand.Constant() : null;
    }

    /// <summary>The anonymous function behind a delegate value (<c>x => ...</c>, <c>delegate { }</c>), or null.</summary>
    public static IAnonymousFunctionOperation? Lambda(this IOperation value) => value switch
    {
        IAnonymousFunctionOperation lambda => lambda,
        IDelegateCreationOperation creation => creation.Target.Lambda(),
        IConversionOperation conversion => conversion.Operand.Lambda(),
        _ => null,
    };

    /// <summary>True when every value the function returns is the constant true.</summary>
    public static bool AlwaysReturnsTrue(this IAnonymousFunctionOperation lambda)
    {
        var returns = lambda.Body.Descendants().OfType<IReturnOperation>().Where(r => r.ReturnedValue is not null).ToList();
        return returns.Count > 0 && returns.All(r => r.ReturnedValue!.Constant() is true);
    }

    /// <summary>True when the function neither throws nor branches: whatever comes in, it lets through.</summary>
    public static bool NeverRejects(this IAnonymousFunctionOperation lambda) =>
        !lambda.Body.Descendants().Any(o => o is IThrowOperation or IConditionalOperation or ISwitchOperation
            or ISwitchExpressionOperation or ICoalesceOperation or IConditionalAccessOperation);

    /// <summary>Whether the statement sits in the then-branch of an <c>if</c> that asks whether the environment is Development.</summary>
    public static bool IsUnderDevelopmentCheck(SyntaxNode node, SemanticModel model)
    {
        for (var child = node; child.Parent is { } parent; child = parent)
        {
            if (parent is IfStatementSyntax ifStatement && child == ifStatement.Statement && AsksDevelopment(ifStatement.Condition, model))
            {
                return true;
            }
            if (parent is ConditionalExpressionSyntax conditional && child == conditional.WhenTrue && AsksDevelopment(conditional.Condition, model))
            {
                return true;
            }
        }
        return false;
    }

    private static bool AsksDevelopment(ExpressionSyntax condition, SemanticModel model) =>
        condition.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>()
            .Any(i => model.GetSymbolInfo(i).Symbol is IMethodSymbol { Name: "IsDevelopment" });
}
