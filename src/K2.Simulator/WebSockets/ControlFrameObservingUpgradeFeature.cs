using Microsoft.AspNetCore.Http.Features;

namespace K2.Simulator.WebSockets;

/// <summary>
/// Wraps the HTTP/1.1 upgrade so the upgraded stream reports every PING and PONG frame the client sends. Installed
/// before the WebSocket middleware, which takes the upgrade feature it finds; the endpoint sets
/// <see cref="ControlFrameReceived"/> once it has a session to charge.
/// </summary>
internal sealed class ControlFrameObservingUpgradeFeature(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    public Action? ControlFrameReceived { get; set; }

    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() =>
        new ControlFrameObservingStream(await inner.UpgradeAsync(), () => ControlFrameReceived?.Invoke());

    /// <summary>Middleware: replaces the request's upgrade feature with an observing one.</summary>
    public static Task InstallAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { } upgrade)
        {
            var observing = new ControlFrameObservingUpgradeFeature(upgrade);
            context.Features.Set<IHttpUpgradeFeature>(observing);
            context.Features.Set(observing);
        }

        return next(context);
    }
}
