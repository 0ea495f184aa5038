using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore;
using Tessera.Policy.Errors;

namespace Tessera.Server.Failures;

/// <summary>Turns every failure that escapes an endpoint into an OAuth-shaped JSON error; unknown paths get one too.</summary>
public static partial class ErrorHandling
{
    private const long MaximumBodyBytes = 1024 * 1024;

    public static WebApplication UseTesseraErrorHandling(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = HandleExceptionAsync, SuppressDiagnosticsCallback = _ => false });
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Response.HasStarted)
            {
                return;
            }

            if (http.GetOpenIddictServerResponse() is { Error: { } error } response)
            {
                await ErrorPage.WriteAsync(http, error, response.ErrorDescription);
            }
            else if (http.Response.StatusCode == StatusCodes.Status404NotFound)
            {
                await ErrorResponses.WriteAsync(http, StatusCodes.Status404NotFound, TesseraErrors.NotFound);
            }
            else if (http.Response.StatusCode == StatusCodes.Status400BadRequest && IsPage(http))
            {
                await ErrorResponses.WriteAsync(http, StatusCodes.Status400BadRequest, TesseraErrors.FormNotVerified);
            }
        });
        return app;
    }

    public static WebApplicationBuilder LimitRequestSizes(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaximumBodyBytes;
            kestrel.Limits.MaxRequestLineSize = 16 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(form =>
        {
            form.ValueLengthLimit = 16 * 1024;
            form.ValueCountLimit = 64;
            form.KeyLengthLimit = 256;
            form.MultipartBodyLengthLimit = MaximumBodyBytes;
        });
        return builder;
    }

    // A page answers a bare 400 only when its anti-forgery check fails: wrong method, no token, or a form it cannot read.
    private static bool IsPage(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<PageActionDescriptor>() is not null;

    private static async Task HandleExceptionAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        switch (exception)
        {
            case BadHttpRequestException bad:
                await ErrorResponses.WriteAsync(context, bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? TesseraErrors.RequestTooLarge.With(MaximumBodyBytes)
                    : TesseraErrors.BodyUnreadable.With(bad.Message));
                break;
            case InvalidDataException:
                await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, TesseraErrors.FormMalformed);
                break;
            default:
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Tessera.Errors");
                LogUnhandled(logger, context.TraceIdentifier, exception);
                await ErrorResponses.WriteAsync(context, StatusCodes.Status500InternalServerError, TesseraErrors.InternalError);
                break;
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "TSR6001: Unhandled failure in request {TraceId}.")]
    private static partial void LogUnhandled(ILogger logger, string traceId, Exception? exception);
}
