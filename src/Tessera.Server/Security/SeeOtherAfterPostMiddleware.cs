namespace Tessera.Server.Security;

/// <summary>
/// After a POST, every redirect is 303 See Other (RFC 9700 §4.12): a 307 would make the browser re-post the
/// user's credentials or consent to the next address, and a 302 leaves the method to the browser's discretion.
/// </summary>
public sealed class SeeOtherAfterPostMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.OnStarting(static state =>
            {
                var response = ((HttpContext)state).Response;
                if (response.StatusCode is StatusCodes.Status302Found or StatusCodes.Status307TemporaryRedirect)
                {
                    response.StatusCode = StatusCodes.Status303SeeOther;
                }

                return Task.CompletedTask;
            }, context);
        }

        return next(context);
    }
}
