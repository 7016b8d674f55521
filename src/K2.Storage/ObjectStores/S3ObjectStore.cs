using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace K2.Storage.ObjectStores;

/// <summary>
/// The warehouse in an S3-compatible bucket (cluster mode: AWS S3, MinIO; s3rver in tests), through AWSSDK.S3 with
/// path-style addressing. Bodies are sent whole and signed, without <c>aws-chunked</c> encoding or the SDK's flexible
/// checksums (only where an operation requires one), because s3rver stores aws-chunked bodies with their chunk headers
/// in them. Transient failures (throttling, 5xx, dropped connections, timeouts) are retried by the SDK's standard
/// retry mode with exponential backoff and jitter. Streams longer than
/// <see cref="S3WarehouseOptions.MultipartThresholdBytes"/> go up as a multipart upload, one buffered part at a time,
/// aborted if any part fails. Create-only puts send <c>If-None-Match: *</c>: atomic on AWS S3 and MinIO, ignored by
/// s3rver (see <see cref="IObjectStore.EnforcesCreateOnly"/>).
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly string _locationBase;
    private readonly string _icebergLocationBase;
    private readonly long _multipartThreshold;
    private readonly int _partSize;

    public S3ObjectStore(S3WarehouseOptions options, bool enforcesCreateOnly = true)
    {
        ArgumentNullException.ThrowIfNull(options.ServiceUrl);
        _bucket = options.Bucket;
        _prefix = options.Prefix.Length == 0 || options.Prefix.EndsWith('/') ? options.Prefix : options.Prefix + "/";
        _locationBase = $"{options.ServiceUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')}/{_bucket}/{_prefix}";
        _icebergLocationBase = $"s3://{_bucket}/{_prefix}";
        _multipartThreshold = options.MultipartThresholdBytes;
        _partSize = options.MultipartPartSizeBytes;
        EnforcesCreateOnly = enforcesCreateOnly;
        _client = new AmazonS3Client(
            new BasicAWSCredentials(options.AccessKey, options.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = options.ServiceUrl.ToString(),
                AuthenticationRegion = options.Region,
                ForcePathStyle = true,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
                RetryMode = RequestRetryMode.Standard,
                MaxErrorRetry = options.MaxRetries,
                Timeout = options.Timeout,
            });
    }

    /// <summary>
    /// True unless the store was built for a server known to ignore <c>If-None-Match</c> on PUT (s3rver;
    /// <see cref="S3WarehouseOptions.CreateOnlyPuts"/>); the store cannot find out by itself, since such a server simply
    /// overwrites.
    /// </summary>
    public bool EnforcesCreateOnly { get; }

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        PutObjectAsync(key, content, ifAbsent: false, cancellationToken);

    public async Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ObjectKey.Validate(key);
        if (length > _multipartThreshold)
        {
            await PutMultipartAsync(key, content, length, cancellationToken);
            return;
        }

        // Whole and seekable, so the SDK can sign the body and rewind it for a retry.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(length, 1));
        try
        {
            await ReadPartAsync(key, content, buffer.AsMemory(0, (int)length), length, cancellationToken);
            await EnsureEndedAsync(key, content, length, cancellationToken);
            await PutObjectAsync(key, buffer.AsMemory(0, (int)length), ifAbsent: false, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await PutObjectAsync(key, content, ifAbsent: true, cancellationToken);
                return true;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return false;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Conflict && attempt < 5)
            {
                // 409 ConditionalRequestConflict: a concurrent conditional write was in flight; S3 asks for a retry,
                // which then gives 412 if that write won.
            }
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        using var response = await GetObjectOrNullAsync(key, cancellationToken);
        if (response is null)
        {
            return null;
        }

        var bytes = new byte[response.ContentLength];
        await response.ResponseStream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        (await GetObjectOrNullAsync(key, cancellationToken))?.ResponseStream;

    public async Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        try
        {
            var head = await _client.GetObjectMetadataAsync(_bucket, _prefix + key, cancellationToken);
            return new ObjectInfo(key, head.ContentLength, ToOffset(head.LastModified));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKey.ValidatePrefix(prefix);
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
        while (true)
        {
            var page = await _client.ListObjectsV2Async(request, cancellationToken);
            foreach (var entry in page.S3Objects ?? [])
            {
                yield return new ObjectInfo(entry.Key[_prefix.Length..], entry.Size ?? 0, ToOffset(entry.LastModified));
            }

            if (page.IsTruncated != true)
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        await _client.DeleteObjectAsync(_bucket, _prefix + key, cancellationToken); // S3 answers 204 for absent keys too
    }

    public string LocationOf(string key)
    {
        ObjectKey.Validate(key);
        return _locationBase + key;
    }

    public string IcebergLocationOf(string key)
    {
        ObjectKey.Validate(key);
        return _icebergLocationBase + key;
    }

    public string? KeyOf(string icebergLocation) =>
        icebergLocation.StartsWith(_icebergLocationBase, StringComparison.Ordinal) ? icebergLocation[_icebergLocationBase.Length..] : null;

    public void Dispose() => _client.Dispose();

    private async Task PutObjectAsync(string key, ReadOnlyMemory<byte> content, bool ifAbsent, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        using var body = AsStream(content);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + key,
            InputStream = body,
            UseChunkEncoding = false,
            AutoCloseStream = false,
        };
        if (ifAbsent)
        {
            request.IfNoneMatch = "*";
        }

        await _client.PutObjectAsync(request, cancellationToken);
    }

    private async Task PutMultipartAsync(string key, Stream content, long length, CancellationToken cancellationToken)
    {
        var upload = await _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(_partSize);
        try
        {
            var parts = new List<PartETag>();
            for (long offset = 0; offset < length; offset += _partSize)
            {
                var size = (int)Math.Min(_partSize, length - offset);
                await ReadPartAsync(key, content, buffer.AsMemory(0, size), length, cancellationToken);
                using var body = new MemoryStream(buffer, 0, size, writable: false);
                var part = await _client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = _bucket,
                        Key = _prefix + key,
                        UploadId = upload.UploadId,
                        PartNumber = parts.Count + 1,
                        InputStream = body,
                        PartSize = size,
                        UseChunkEncoding = false,
                    },
                    cancellationToken);
                parts.Add(new PartETag(parts.Count + 1, part.ETag));
            }

            await EnsureEndedAsync(key, content, length, cancellationToken);
            await _client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = _bucket, Key = _prefix + key, UploadId = upload.UploadId, PartETags = parts },
                cancellationToken);
        }
        catch
        {
            await AbortQuietlyAsync(key, upload.UploadId);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Aborts a failed multipart upload so its parts stop costing storage. The upload's own failure is what the caller
    /// must see, so a failing abort is not thrown; its parts are left for the bucket's AbortIncompleteMultipartUpload
    /// lifecycle rule (s3rver does not implement abort at all).
    /// </summary>
    private async Task AbortQuietlyAsync(string key, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _bucket, Key = _prefix + key, UploadId = uploadId }, CancellationToken.None);
        }
        catch (AmazonServiceException)
        {
        }
    }

    private async Task<GetObjectResponse?> GetObjectOrNullAsync(string key, CancellationToken cancellationToken)
    {
        ObjectKey.Validate(key);
        try
        {
            return await _client.GetObjectAsync(_bucket, _prefix + key, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task ReadPartAsync(string key, Stream source, Memory<byte> part, long length, CancellationToken cancellationToken)
    {
        var read = await source.ReadAtLeastAsync(part, part.Length, throwOnEndOfStream: false, cancellationToken);
        if (read < part.Length)
        {
            throw new InvalidDataException($"The stream for object '{key}' ended before its declared {length} bytes.");
        }
    }

    private static async Task EnsureEndedAsync(string key, Stream source, long length, CancellationToken cancellationToken)
    {
        if (await source.ReadAsync(new byte[1], cancellationToken) != 0)
        {
            throw new InvalidDataException($"The stream for object '{key}' is longer than its declared {length} bytes.");
        }
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    private static DateTimeOffset ToOffset(DateTime? time) =>
        time is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
}
