using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using K2.Core.Exchanges.Binance;

namespace K2.Simulator.Binance;

/// <summary>
/// Reads one stream request (<c>{"method":"SUBSCRIBE","params":[…],"id":1}</c>) and decides, as Binance does,
/// whether it is well formed; stream names are checked later against the market. Pure.
/// </summary>
internal static class BinanceRequestReader
{
    /// <summary>The only property SET_PROPERTY and GET_PROPERTY know.</summary>
    public const string CombinedProperty = "combined";

    private const string IdField = "id";
    private const string MethodField = "method";
    private const string ParamsField = "params";

    public static bool TryRead(
        ReadOnlyMemory<byte> utf8, [NotNullWhen(true)] out BinanceRequest? request, [NotNullWhen(false)] out BinanceRequestError? error)
    {
        request = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException e)
        {
            // JsonException positions are 0-based; Binance (serde) counts lines and columns from 1.
            error = new(BinanceErrors.InvalidJsonCode,
                BinanceErrors.InvalidJson((int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1), BinanceRequestId.Null);
            return false;
        }

        using (document)
        {
            error = Read(document.RootElement, out request);
            return error is null;
        }
    }

    private static BinanceRequestError? Read(JsonElement root, out BinanceRequest? request)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new(BinanceErrors.InvalidRequestCode, BinanceErrors.NotAnObject, BinanceRequestId.Null);
        }

        if (!root.TryGetProperty(IdField, out var idElement) || !TryReadId(idElement, out var id))
        {
            return new(BinanceErrors.InvalidRequestCode, BinanceErrors.InvalidRequestId, BinanceRequestId.Null);
        }

        if (!root.TryGetProperty(MethodField, out var methodElement))
        {
            return new(BinanceErrors.InvalidRequestCode, BinanceErrors.MissingField(MethodField), id);
        }

        if (!TryParseMethod(methodElement, out var method))
        {
            var name = methodElement.ValueKind == JsonValueKind.String ? methodElement.GetString()! : methodElement.GetRawText();
            return new(BinanceErrors.InvalidRequestCode, BinanceErrors.UnknownMethod(name), id);
        }

        if (method == BinanceRequestMethod.ListSubscriptions)
        {
            request = new(method, id, []);
            return null;
        }

        if (!root.TryGetProperty(ParamsField, out var parameters))
        {
            return new(BinanceErrors.InvalidRequestCode, BinanceErrors.MissingField(ParamsField), id);
        }

        if (parameters.ValueKind != JsonValueKind.Array)
        {
            return new(BinanceErrors.InvalidRequestCode, BinanceErrors.InvalidFieldType(ParamsField, "a sequence"), id);
        }

        return method switch
        {
            BinanceRequestMethod.Subscribe or BinanceRequestMethod.Unsubscribe => ReadStreams(method, id, parameters, out request),
            _ => ReadProperty(method, id, parameters, out request),
        };
    }

    private static BinanceRequestError? ReadStreams(BinanceRequestMethod method, BinanceRequestId id, JsonElement parameters, out BinanceRequest? request)
    {
        request = null;
        var streams = new List<string>(parameters.GetArrayLength());
        foreach (var stream in parameters.EnumerateArray())
        {
            if (stream.ValueKind != JsonValueKind.String)
            {
                return new(BinanceErrors.InvalidRequestCode, BinanceErrors.InvalidStream, id);
            }

            streams.Add(stream.GetString()!);
        }

        request = new(method, id, streams);
        return null;
    }

    /// <summary>SET_PROPERTY <c>["combined", true]</c> and GET_PROPERTY <c>["combined"]</c>.</summary>
    private static BinanceRequestError? ReadProperty(BinanceRequestMethod method, BinanceRequestId id, JsonElement parameters, out BinanceRequest? request)
    {
        request = null;
        var expectedCount = method == BinanceRequestMethod.SetProperty ? 2 : 1;
        var count = parameters.GetArrayLength();
        if (count == 0 || parameters[0].ValueKind != JsonValueKind.String)
        {
            return new(BinanceErrors.InvalidRequestCode, BinanceErrors.PropertyNameNotString, id);
        }

        if (count > expectedCount)
        {
            return new(BinanceErrors.InvalidRequestCode, BinanceErrors.TooManyParameters, id);
        }

        if (parameters[0].GetString() != CombinedProperty)
        {
            return new(BinanceErrors.UnknownPropertyCode, BinanceErrors.UnknownProperty, id);
        }

        if (method == BinanceRequestMethod.GetProperty)
        {
            request = new(method, id, []);
            return null;
        }

        if (count < expectedCount || parameters[1].ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return new(BinanceErrors.InvalidValueTypeCode, BinanceErrors.InvalidValueType, id);
        }

        request = new(method, id, [], Combined: parameters[1].GetBoolean());
        return null;
    }

    private static bool TryReadId(JsonElement element, out BinanceRequestId id)
    {
        id = BinanceRequestId.Null;
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.Number when element.TryGetInt64(out var number):
                id = BinanceRequestId.FromNumber(number);
                return true;
            case JsonValueKind.String when BinanceRequestId.IsValidText(element.GetString()!):
                id = BinanceRequestId.FromText(element.GetString()!);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Method names are case-sensitive, as serde's variant names are.</summary>
    private static bool TryParseMethod(JsonElement element, out BinanceRequestMethod method)
    {
        method = default;
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        BinanceRequestMethod? parsed = element.GetString() switch
        {
            BinanceStreamRequest.Subscribe => BinanceRequestMethod.Subscribe,
            BinanceStreamRequest.Unsubscribe => BinanceRequestMethod.Unsubscribe,
            "LIST_SUBSCRIPTIONS" => BinanceRequestMethod.ListSubscriptions,
            "SET_PROPERTY" => BinanceRequestMethod.SetProperty,
            "GET_PROPERTY" => BinanceRequestMethod.GetProperty,
            _ => null,
        };
        method = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}
