using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using K2.Core.Exchanges.Coinbase;

namespace K2.Simulator.Coinbase;

/// <summary>
/// Reads one client message and decides, as Coinbase does, whether it is a well-formed subscribe or unsubscribe naming
/// exactly one channel ("Each channel requires a separate subscription message"). Product ids are checked later
/// against the market. The docs' optional <c>jwt</c> is accepted and ignored: the simulator serves public data. Pure.
/// </summary>
internal static class CoinbaseRequestReader
{
    private const string TypeField = "type";
    private const string ChannelField = "channel";
    private const string ChannelsField = "channels";
    private const string ProductIdsField = "product_ids";

    public static bool TryRead(
        ReadOnlyMemory<byte> utf8, [NotNullWhen(true)] out CoinbaseRequest? request, [NotNullWhen(false)] out CoinbaseRequestError? error)
    {
        request = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException e)
        {
            error = new(CoinbaseErrors.MalformedMessage, CoinbaseErrors.InvalidJson(e.Message));
            return false;
        }

        using (document)
        {
            error = Read(document.RootElement, out request);
            return error is null;
        }
    }

    private static CoinbaseRequestError? Read(JsonElement root, out CoinbaseRequest? request)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new(CoinbaseErrors.MalformedMessage, CoinbaseErrors.NotAnObject);
        }

        var type = root.TryGetProperty(TypeField, out var typeElement) && typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString() : null;
        bool subscribe;
        switch (type)
        {
            case CoinbaseSubscriptionRequest.Subscribe: subscribe = true; break;
            case CoinbaseSubscriptionRequest.Unsubscribe: subscribe = false; break;
            default: return new(CoinbaseErrors.UnknownMessageType, CoinbaseErrors.UnknownType(type ?? typeElement.ToString()));
        }

        var failed = subscribe ? CoinbaseErrors.FailedToSubscribe : CoinbaseErrors.FailedToUnsubscribe;

        // The Exchange feed's plural "channels" list is how a client names several channels at once: refused here.
        if (root.TryGetProperty(ChannelsField, out _))
        {
            return new(failed, CoinbaseErrors.OneChannelPerMessage);
        }

        if (!root.TryGetProperty(ChannelField, out var channelElement))
        {
            return new(failed, CoinbaseErrors.MissingChannel);
        }

        if (channelElement.ValueKind == JsonValueKind.Array)
        {
            return new(failed, channelElement.GetArrayLength() == 0 ? CoinbaseErrors.MissingChannel : CoinbaseErrors.OneChannelPerMessage);
        }

        if (channelElement.ValueKind != JsonValueKind.String || channelElement.GetString() is not { Length: > 0 } channel)
        {
            return new(failed, CoinbaseErrors.ChannelNotAString);
        }

        if (channel is not (CoinbaseEndpoints.MarketTradesChannel or CoinbaseEndpoints.HeartbeatsChannel))
        {
            return new(failed, CoinbaseErrors.UnsupportedChannel(channel));
        }

        List<string>? productIds = null;
        if (root.TryGetProperty(ProductIdsField, out var products))
        {
            if (products.ValueKind != JsonValueKind.Array || products.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String))
            {
                return new(failed, CoinbaseErrors.ProductIdsNotStrings);
            }

            productIds = [.. products.EnumerateArray().Select(p => p.GetString()!)];
        }

        if (subscribe && channel == CoinbaseEndpoints.MarketTradesChannel && productIds is not { Count: > 0 })
        {
            return new(failed, CoinbaseErrors.MissingProductIds);
        }

        request = new CoinbaseRequest(subscribe, channel, productIds);
        return null;
    }
}
