using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Net.Http.Headers;

namespace Broadcast.Web;

/// <summary>
/// How the web client and JSON travel: compressed (Brotli, else gzip) and with cache headers
/// made for embedding on news sites. Vite names every asset it builds after its content
/// (<c>assets/index-DEOXsVvy.js</c>), so those are cached for a year and never revalidated;
/// <c>ticker.js</c>, the one script news sites embed by a fixed name, is cached briefly so a
/// release reaches them within minutes; pages revalidate every time (cheap: 304 by ETag).
/// </summary>
public static class WebSetup
{
    /// <summary>How long browsers and CDNs keep the embedded entry script before asking again.</summary>
    public static readonly TimeSpan EntryScriptMaxAge = TimeSpan.FromMinutes(5);

    public static IHostApplicationBuilder AddWebDelivery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddResponseCompression(options =>
        {
            // The data is public and no response mixes a secret with what a request sent, so
            // compressing over HTTPS does not open the BREACH attack.
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            // Not text/event-stream: a compressed stream would hold events back in its buffer.
            options.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "application/problem+json", "image/svg+xml"];
        });
        // "Optimal" is Brotli quality 4 / gzip 6 here: about a millisecond for the 106 KB
        // ticker and tens of microseconds for a snapshot, within a few percent of the smallest.
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        return builder;
    }

    public static WebApplication UseWebDelivery(this WebApplication app)
    {
        app.UseResponseCompression();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = context => SetCacheHeaders(context.Context) });
        return app;
    }

    private static void SetCacheHeaders(HttpContext context)
    {
        var path = context.Request.Path;
        var headers = context.Response.GetTypedHeaders();
        if (path.StartsWithSegments("/assets"))
            headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new("immutable") } };
        else if (path.Equals("/ticker.js", StringComparison.OrdinalIgnoreCase))
            headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = EntryScriptMaxAge };
        else
            headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
    }
}
