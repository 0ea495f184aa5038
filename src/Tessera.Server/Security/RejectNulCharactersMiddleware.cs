using Tessera.Policy.Errors;
using Tessera.Server.Failures;

namespace Tessera.Server.Security;

/// <summary>
/// No protocol parameter or form field may contain a NUL character: none is meaningful, PostgreSQL text cannot store
/// one, and some parsers stop at it. Such a request is refused before any code reads it.
/// </summary>
public sealed class RejectNulCharactersMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true ||
            context.Request.Query.Any(p => p.Key.Contains('\0', StringComparison.Ordinal) || p.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true)))
        {
            await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, TesseraErrors.NulCharacter);
            return;
        }

        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            if (form.Any(p => p.Key.Contains('\0', StringComparison.Ordinal) || p.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true)))
            {
                await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, TesseraErrors.NulCharacter);
                return;
            }
        }

        await next(context);
    }
}
