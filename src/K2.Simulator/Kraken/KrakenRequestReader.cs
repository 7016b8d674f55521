using System.Text.Json;
using K2.Core.Exchanges.Kraken;

namespace K2.Simulator.Kraken;

/// <summary>
/// Reads a client's WebSocket v2 request the way the simulator's Kraken understands it: a JSON object with a string
/// <c>method</c>, an optional integer <c>req_id</c> and, for (un)subscriptions, <c>params</c> with <c>channel</c>
/// <c>trade</c>, a non-empty <c>symbol</c> array and an optional boolean <c>snapshot</c>. Anything else is refused
/// with the texts of <see cref="KrakenSimulatorErrors"/>. Requests are rare, so a <see cref="JsonDocument"/> is fine.
/// </summary>
internal static class KrakenRequestReader
{
    private const int MaxDepth = 8;

    private static readonly string[] TopLevelFields = ["method", "req_id"];
    private static readonly string[] SubscriptionFields = ["method", "req_id", "params"];
    private static readonly string[] ParamsFields = ["channel", "symbol", "snapshot"];

    public static bool TryRead(ReadOnlyMemory<byte> message, out KrakenRequest request, out KrakenRequestError error)
    {
        request = null!;
        error = null!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException)
        {
            error = new KrakenRequestError(KrakenSimulatorErrors.MalformedRequest, null, null);
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = new KrakenRequestError(KrakenSimulatorErrors.MalformedRequest, null, null);
                return false;
            }

            long? requestId = null;
            if (root.TryGetProperty("req_id", out var id))
            {
                if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var value))
                {
                    error = new KrakenRequestError(KrakenSimulatorErrors.MalformedRequest, MethodOf(root), null);
                    return false;
                }

                requestId = value;
            }

            if (MethodOf(root) is not { } method)
            {
                error = new KrakenRequestError(KrakenSimulatorErrors.MalformedRequest, null, requestId);
                return false;
            }

            var refusal = method switch
            {
                KrakenEndpoints.PingMethod => UnsupportedField(root, TopLevelFields, method),
                KrakenEndpoints.SubscribeMethod or KrakenEndpoints.UnsubscribeMethod => ReadSubscription(root, method, out request),
                _ => KrakenSimulatorErrors.MethodNotFound,
            };
            if (refusal is not null)
            {
                error = new KrakenRequestError(refusal, method, requestId);
                return false;
            }

            request = method == KrakenEndpoints.PingMethod
                ? new KrakenRequest(method, requestId, [], false)
                : request with { RequestId = requestId };
            return true;
        }
    }

    /// <summary>The refusal of a subscription request, or null with the request read.</summary>
    private static string? ReadSubscription(JsonElement root, string method, out KrakenRequest request)
    {
        request = null!;
        if (UnsupportedField(root, SubscriptionFields, method) is { } unsupported)
        {
            return unsupported;
        }

        if (!root.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
        {
            return KrakenSimulatorErrors.InvalidArguments("params must be an object");
        }

        if (UnsupportedField(parameters, ParamsFields, method) is { } unsupportedParameter)
        {
            return unsupportedParameter;
        }

        if (!parameters.TryGetProperty("channel", out var channel) || channel.ValueKind != JsonValueKind.String)
        {
            return KrakenSimulatorErrors.InvalidArguments("channel must be a string");
        }

        if (!channel.ValueEquals(KrakenEndpoints.TradeChannel))
        {
            return KrakenSimulatorErrors.UnsupportedEvent;
        }

        if (!parameters.TryGetProperty("symbol", out var symbols) || symbols.ValueKind != JsonValueKind.Array
            || symbols.GetArrayLength() == 0 || symbols.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
        {
            return KrakenSimulatorErrors.InvalidArguments("symbol must be a non-empty array of strings");
        }

        var snapshot = false;
        if (parameters.TryGetProperty("snapshot", out var snapshotValue))
        {
            if (snapshotValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return KrakenSimulatorErrors.InvalidArguments("snapshot must be a boolean");
            }

            snapshot = snapshotValue.GetBoolean();
        }

        request = new KrakenRequest(method, null, [.. symbols.EnumerateArray().Select(s => s.GetString()!)], snapshot);
        return null;
    }

    private static string? MethodOf(JsonElement root) =>
        root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String ? method.GetString() : null;

    /// <summary>Kraken refuses a field it does not know for the message type, naming the first.</summary>
    private static string? UnsupportedField(JsonElement element, string[] allowed, string method)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                return KrakenSimulatorErrors.UnsupportedField(property.Name, method);
            }
        }

        return null;
    }
}
