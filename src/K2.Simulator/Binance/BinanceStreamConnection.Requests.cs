using System.Buffers;
using System.Text.Json;
using K2.Core.Exchanges.Binance;
using K2.Simulator.WebSockets;

namespace K2.Simulator.Binance;

/// <summary>The requests a client sends on the stream connection, and their answers.</summary>
internal sealed partial class BinanceStreamConnection
{
    // Used by the receive loop only.
    private readonly ArrayBufferWriter<byte> _replyBuffer = new(InitialSendBufferBytes);
    private Utf8JsonWriter? _replyWriter;

    private void Handle(ReadOnlyMemory<byte> message)
    {
        if (!_rateLimit.TryRecord())
        {
            End(RateLimited());
            return;
        }

        bool queued;
        lock (_gate)
        {
            var reply = BinanceRequestReader.TryRead(message, out var request, out var error)
                ? Execute(request)
                : Render(w => BinanceWireWriter.WriteRequestError(w, error));
            queued = _outbound.Writer.TryWrite(BinanceOutbound.ForReply(reply));
        }

        if (!queued)
        {
            End(new SessionEnd(SessionEndReason.TooSlow));
        }
    }

    /// <summary>Applies a request and renders its answer; called under the gate.</summary>
    private byte[] Execute(BinanceRequest request) => request.Method switch
    {
        BinanceRequestMethod.Subscribe => Subscribe(request),
        BinanceRequestMethod.Unsubscribe => Unsubscribe(request),
        BinanceRequestMethod.ListSubscriptions => Render(w => BinanceWireWriter.WriteListResult(w, _streams.Keys, request.Id)),
        BinanceRequestMethod.SetProperty => SetCombined(request),
        BinanceRequestMethod.GetProperty => Render(w => BinanceWireWriter.WriteBooleanResult(w, _combined, request.Id)),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request.Method, "Unknown method."),
    };

    /// <summary>All or nothing: one bad name or one stream too many refuses the whole request.</summary>
    private byte[] Subscribe(BinanceRequest request)
    {
        if (InvalidStreamError(request) is { } invalid)
        {
            return invalid;
        }

        var added = request.Streams.Distinct(StringComparer.Ordinal).Count(s => !_streams.ContainsKey(s));
        if (_streams.Count + added > BinanceEndpoints.MaxStreamsPerConnection)
        {
            return Error(BinanceErrors.TooManySubscriptionsCode, BinanceErrors.TooManySubscriptions, request);
        }

        foreach (var stream in request.Streams)
        {
            _streams.TryAdd(stream, true);
        }

        return Render(w => BinanceWireWriter.WriteNullResult(w, request.Id));
    }

    private byte[] Unsubscribe(BinanceRequest request)
    {
        if (InvalidStreamError(request) is { } invalid)
        {
            return invalid;
        }

        foreach (var stream in request.Streams)
        {
            _streams.Remove(stream);
        }

        return Render(w => BinanceWireWriter.WriteNullResult(w, request.Id));
    }

    private byte[] SetCombined(BinanceRequest request)
    {
        _combined = request.Combined;
        return Render(w => BinanceWireWriter.WriteNullResult(w, request.Id));
    }

    /// <summary>
    /// The live service acks any well-formed name; the simulator refuses names it does not serve (unknown symbols,
    /// other stream types), so a test that subscribes to the wrong thing fails loudly instead of waiting forever.
    /// </summary>
    private byte[]? InvalidStreamError(BinanceRequest request) =>
        request.Streams.All(_venue.IsTradeStream)
            ? null
            : Error(BinanceErrors.InvalidRequestCode, BinanceErrors.InvalidStream, request);

    private byte[] Error(int code, string message, BinanceRequest request) =>
        Render(w => BinanceWireWriter.WriteRequestError(w, new BinanceRequestError(code, message, request.Id)));

    private byte[] Render(Action<Utf8JsonWriter> write)
    {
        _replyBuffer.ResetWrittenCount();
        if (_replyWriter is null)
        {
            _replyWriter = new Utf8JsonWriter(_replyBuffer, BinanceWireWriter.WriterOptions);
        }
        else
        {
            _replyWriter.Reset(_replyBuffer);
        }

        write(_replyWriter);
        _replyWriter.Flush();
        return _replyBuffer.WrittenSpan.ToArray();
    }
}
