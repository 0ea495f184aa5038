using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.OpenApi;
using Tessera.Server.Admin.Access;

namespace Tessera.Server.Admin;

/// <summary>
/// The admin API's documentation: the OpenAPI document (each operation says the permissions it accepts) and a
/// plain page that lists every operation with its least permission, readable without any tool.
/// </summary>
public static class AdminApiDocs
{
    public const string DocumentName = "admin";

    public static void Configure(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ShouldInclude = description => description.RelativePath?.StartsWith("admin/v1", StringComparison.Ordinal) ?? false;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Tessera admin API";
            document.Info.Description = "Microsoft Graph-shaped directory management. Every call needs a bearer token for api://tessera-admin.";
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var requirement = context.Description.ActionDescriptor.EndpointMetadata.OfType<PermissionRequirement>().FirstOrDefault();
            if (requirement is not null)
            {
                operation.Description = requirement.AllOf.Count == 0
                    ? "Permissions (any one): " + string.Join(", ", requirement.AnyOf)
                    : "Permissions (all of): " + string.Join(", ", requirement.AllOf);
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>An HTML index of the admin API: method, path, and the permissions each operation accepts.</summary>
    public static IResult Page(EndpointDataSource endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var html = HtmlEncoder.Default;
        var rows = new StringBuilder();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>()
                     .Where(e => e.Metadata.GetMetadata<PermissionRequirement>() is not null)
                     .OrderBy(e => e.RoutePattern.RawText, StringComparer.Ordinal))
        {
            var methods = string.Join(", ", endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []);
            var requirement = endpoint.Metadata.GetMetadata<PermissionRequirement>()!;
            var permissions = requirement.AllOf.Count == 0 ? string.Join(", ", requirement.AnyOf) : requirement.Describe();
            rows.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<tr><td>{html.Encode(methods)}</td><td><code>{html.Encode(endpoint.RoutePattern.RawText ?? string.Empty)}</code></td><td>{html.Encode(permissions)}</td></tr>\n");
        }

        return Results.Content($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><title>Tessera admin API</title><link rel="stylesheet" href="/css/site.css" /></head>
            <body><main class="wide">
            <h1>Tessera admin API</h1>
            <p>Resources and shapes follow Microsoft Graph v1.0. Authenticate with a bearer token for <code>api://tessera-admin</code>.
            Machine-readable: <a href="/admin/openapi/{DocumentName}.json">OpenAPI document</a>.</p>
            <table><thead><tr><th>Method</th><th>Path</th><th>Permissions (any one)</th></tr></thead>
            <tbody>
            {rows}</tbody></table>
            </main></body></html>
            """, "text/html; charset=utf-8");
    }
}
