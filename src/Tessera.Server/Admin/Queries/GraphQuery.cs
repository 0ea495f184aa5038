using System.Linq.Expressions;
using System.Text.Json.Nodes;
using Tessera.Policy.Errors;

namespace Tessera.Server.Admin.Queries;

/// <summary>
/// The OData query options the admin API supports, as Microsoft Graph spells them: <c>$filter</c> with <c>eq</c>,
/// <c>startswith</c> and <c>and</c>; <c>$select</c>; <c>$top</c> (1–999, default 100) with <c>@odata.nextLink</c>
/// paging; <c>$count=true</c>. Each resource lists the properties that may be filtered on.
/// </summary>
public sealed class GraphQuery<TEntity>
{
    private const int DefaultTop = 100;
    private const int MaximumTop = 999;

    private GraphQuery(Expression<Func<TEntity, bool>>? filter, IReadOnlySet<string>? select, int top, int skip, bool count)
    {
        Filter = filter;
        Select = select;
        Top = top;
        Skip = skip;
        Count = count;
    }

    public Expression<Func<TEntity, bool>>? Filter { get; }
    public IReadOnlySet<string>? Select { get; }
    public int Top { get; }
    public int Skip { get; }
    public bool Count { get; }

    /// <summary>Parses the request's query options against the filterable properties of the resource.</summary>
#pragma warning disable CA1000 // GraphQuery<Application>.Parse(...) reads better than a separate factory type.
    public static (GraphQuery<TEntity>? Query, TesseraError? Error) Parse(HttpRequest request, IReadOnlyDictionary<string, Expression<Func<TEntity, object?>>> filterable)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(filterable);
        var query = request.Query;

        var top = DefaultTop;
        if (query.TryGetValue("$top", out var topText) && (!int.TryParse(topText, out top) || top is < 1 or > MaximumTop))
        {
            return (null, AdminErrors.UnsupportedQuery.With($"$top must be a whole number from 1 to {MaximumTop}."));
        }

        var skip = 0;
        if (query.TryGetValue("$skiptoken", out var token) && !GraphLinks.TryReadSkipToken(token.ToString(), out skip))
        {
            return (null, AdminErrors.UnsupportedQuery.With("$skiptoken is not one this server issued; follow @odata.nextLink as it is."));
        }

        var count = query.TryGetValue("$count", out var countText) && string.Equals(countText, "true", StringComparison.OrdinalIgnoreCase);

        IReadOnlySet<string>? select = null;
        if (query.TryGetValue("$select", out var selectText) && !string.IsNullOrWhiteSpace(selectText))
        {
            select = selectText.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
        }

        Expression<Func<TEntity, bool>>? filter = null;
        if (query.TryGetValue("$filter", out var filterText) && !string.IsNullOrWhiteSpace(filterText))
        {
            var (parsed, error) = GraphFilter.Parse(filterText.ToString(), filterable);
            if (error is not null)
            {
                return (null, error);
            }

            filter = parsed;
        }

        return (new GraphQuery<TEntity>(filter, select, top, skip, count), null);
    }
#pragma warning restore CA1000

    /// <summary>Runs the query and builds the Graph collection response, with <c>@odata.nextLink</c> when more remain.</summary>
    public Task<IResult> RespondAsync<TKey>(
        HttpRequest request, IQueryable<TEntity> source, Expression<Func<TEntity, TKey>> order,
        Func<TEntity, object> project, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        return RespondAsync(request, source, order,
            (page, _) => Task.FromResult<IReadOnlyList<object>>([.. page.Select(project)]), cancellationToken);
    }

    /// <summary>
    /// The same, for items whose JSON needs more than their own row (names of the objects they refer to):
    /// <paramref name="projectPage"/> gets the whole page at once, so it can look those up in one query.
    /// </summary>
    public Task<IResult> RespondAsync<TKey>(
        HttpRequest request, IQueryable<TEntity> source, Expression<Func<TEntity, TKey>> order,
        Func<IReadOnlyList<TEntity>, CancellationToken, Task<IReadOnlyList<object>>> projectPage, CancellationToken cancellationToken)
        => RespondAsync(request, source, items => items.OrderBy(order), projectPage, cancellationToken);

    /// <summary>
    /// The same in an order of the resource's own, such as newest first (<c>OrderByDescending</c>); end it with a
    /// unique key so that pages neither overlap nor skip.
    /// </summary>
    public Task<IResult> RespondAsync(
        HttpRequest request, IQueryable<TEntity> source, Func<IQueryable<TEntity>, IOrderedQueryable<TEntity>> order,
        Func<TEntity, object> project, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        return RespondAsync(request, source, order,
            (page, _) => Task.FromResult<IReadOnlyList<object>>([.. page.Select(project)]), cancellationToken);
    }

    /// <summary>In an order of the resource's own (end it with a unique key), for items whose JSON needs more than their row.</summary>
    public async Task<IResult> RespondAsync(
        HttpRequest request, IQueryable<TEntity> source, Func<IQueryable<TEntity>, IOrderedQueryable<TEntity>> order,
        Func<IReadOnlyList<TEntity>, CancellationToken, Task<IReadOnlyList<object>>> projectPage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(projectPage);
        var filtered = Filter is null ? source : source.Where(Filter);
        var page = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            order(filtered).Skip(Skip).Take(Top + 1), cancellationToken);

        var response = new JsonObject
        {
            ["@odata.context"] = GraphLinks.Context(request, request.Path.Value?.Split('/').Last() ?? string.Empty),
        };
        if (Count)
        {
            response["@odata.count"] = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(filtered, cancellationToken);
        }

        var items = await projectPage([.. page.Take(Top)], cancellationToken);
        response["value"] = new JsonArray([.. items.Select(item => (JsonNode?)Shape(item))]);
        if (page.Count > Top)
        {
            response["@odata.nextLink"] = GraphLinks.Next(request, Skip + Top);
        }

        return Results.Json(response);
    }

    /// <summary>The item as JSON, cut down to <c>$select</c> (the id always stays).</summary>
    public JsonNode Shape(object item)
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(item, AdminJson.Options)!.AsObject();
        if (Select is null)
        {
            return node;
        }

        foreach (var name in node.Select(p => p.Key).ToList())
        {
            if (name != "id" && !name.StartsWith('@') && !Select.Contains(name))
            {
                node.Remove(name);
            }
        }

        return node;
    }
}

/// <summary>The JSON settings of admin API bodies.</summary>
public static class AdminJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web);
}
