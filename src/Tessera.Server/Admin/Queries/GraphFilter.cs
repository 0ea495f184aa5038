using System.Linq.Expressions;
using System.Text;
using Tessera.Policy.Errors;

namespace Tessera.Server.Admin.Queries;

/// <summary>
/// A small parser for the <c>$filter</c> subset the admin API supports:
/// <c>prop eq 'text'</c>, <c>prop eq true</c>, <c>startswith(prop,'text')</c>, joined by <c>and</c>.
/// Anything else is refused with a sentence saying what is supported.
/// </summary>
public static class GraphFilter
{
    private const string Supported = "$filter supports: property eq 'value', property eq true|false, property eq 123, startswith(property,'value'), and for dates property ge|gt|le|lt 2026-01-31T00:00:00Z, joined with 'and'.";
    private static readonly string[] Comparisons = ["eq", "ge", "gt", "le", "lt"];

    public static (Expression<Func<TEntity, bool>>? Filter, TesseraError? Error) Parse<TEntity>(
        string text, IReadOnlyDictionary<string, Expression<Func<TEntity, object?>>> filterable)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 2000)
        {
            return (null, AdminErrors.UnsupportedQuery.With("$filter is longer than 2000 characters."));
        }

        var parameter = Expression.Parameter(typeof(TEntity), "e");
        Expression? body = null;
        foreach (var clause in SplitAnd(text))
        {
            var (condition, error) = ParseClause(clause.Trim(), parameter, filterable);
            if (error is not null)
            {
                return (null, error);
            }

            body = body is null ? condition : Expression.AndAlso(body, condition!);
        }

        return body is null
            ? (null, AdminErrors.UnsupportedQuery.With(Supported))
            : (Expression.Lambda<Func<TEntity, bool>>(body, parameter), null);
    }

    private static (Expression? Condition, TesseraError? Error) ParseClause<TEntity>(
        string clause, ParameterExpression parameter, IReadOnlyDictionary<string, Expression<Func<TEntity, object?>>> filterable)
    {
        string property;
        string literal;
        bool startsWith;
        var comparison = "eq";
        if (clause.StartsWith("startswith(", StringComparison.OrdinalIgnoreCase) && clause.EndsWith(')'))
        {
            var inner = clause["startswith(".Length..^1];
            var comma = inner.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0)
            {
                return (null, AdminErrors.UnsupportedQuery.With(Supported));
            }

            (property, literal, startsWith) = (inner[..comma].Trim(), inner[(comma + 1)..].Trim(), true);
        }
        else
        {
            var parts = clause.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !Comparisons.Contains(parts[1].ToLowerInvariant()))
            {
                return (null, AdminErrors.UnsupportedQuery.With(Supported));
            }

            (property, literal, startsWith, comparison) = (parts[0], parts[2].Trim(), false, parts[1].ToLowerInvariant());
        }

        if (!filterable.TryGetValue(property, out var selector))
        {
            return (null, AdminErrors.UnsupportedQuery.With($"'{property}' cannot be filtered on. Filterable: {string.Join(", ", filterable.Keys)}."));
        }

        var member = new ReplaceParameter(selector.Parameters[0], parameter).Visit(selector.Body);
        if (member is UnaryExpression { NodeType: ExpressionType.Convert } convert)
        {
            member = convert.Operand;
        }

        var value = ParseLiteral(literal, member.Type);
        if (value is null)
        {
            return (null, AdminErrors.UnsupportedQuery.With($"'{literal}' is not a valid {Describe(member.Type)} for '{property}'."));
        }

        if (startsWith)
        {
            if (member.Type != typeof(string))
            {
                return (null, AdminErrors.UnsupportedQuery.With($"startswith needs a text property; '{property}' is not one."));
            }

            var method = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;
            var notNull = Expression.NotEqual(member, Expression.Constant(null, typeof(string)));
            return (Expression.AndAlso(notNull, Expression.Call(member, method, Expression.Constant(value, typeof(string)))), null);
        }

        if (comparison != "eq" && (Nullable.GetUnderlyingType(member.Type) ?? member.Type) != typeof(DateTimeOffset))
        {
            return (null, AdminErrors.UnsupportedQuery.With($"'{comparison}' compares dates only; '{property}' is not a date. Use eq."));
        }

        var constant = Expression.Constant(value, member.Type);
        return (comparison switch
        {
            "ge" => Expression.GreaterThanOrEqual(member, constant),
            "gt" => Expression.GreaterThan(member, constant),
            "le" => Expression.LessThanOrEqual(member, constant),
            "lt" => Expression.LessThan(member, constant),
            _ => Expression.Equal(member, constant),
        }, null);
    }

    private static object? ParseLiteral(string literal, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(bool))
        {
            return literal switch { "true" => true, "false" => false, _ => null };
        }

        // OData writes numbers and dates without quotes.
        if (underlying == typeof(int))
        {
            return int.TryParse(literal, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : null;
        }

        if (underlying == typeof(DateTimeOffset))
        {
            return literal.Length >= 10 && char.IsAsciiDigit(literal[0]) &&
                   DateTimeOffset.TryParse(literal, System.Globalization.CultureInfo.InvariantCulture,
                       System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var date)
                ? date
                : null;
        }

        if (literal.Length < 2 || literal[0] != '\'' || literal[^1] != '\'')
        {
            return null;
        }

        var text = literal[1..^1];
        if (text.Replace("''", string.Empty, StringComparison.Ordinal).Contains('\'', StringComparison.Ordinal))
        {
            return null;
        }

        text = text.Replace("''", "'", StringComparison.Ordinal);
        if (underlying == typeof(string))
        {
            return text;
        }

        return underlying == typeof(Guid) && Guid.TryParse(text, out var guid) ? guid : null;
    }

    private static string Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(Guid) => "quoted GUID",
        var t when t == typeof(int) => "whole number",
        var t when t == typeof(DateTimeOffset) => "date and time (2026-01-31T00:00:00Z, unquoted)",
        _ => "quoted text",
    };

    // Splits on ' and ' outside quotes.
    private static IEnumerable<string> SplitAnd(string text)
    {
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\'')
            {
                quoted = !quoted;
            }

            if (!quoted && i + 5 <= text.Length && text.AsSpan(i, 5).Equals(" and ", StringComparison.OrdinalIgnoreCase))
            {
                yield return current.ToString();
                current.Clear();
                i += 4;
                continue;
            }

            current.Append(text[i]);
        }

        yield return current.ToString();
    }

    private sealed class ReplaceParameter(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
