using K2.Storage.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Storage.ObjectStores;

/// <summary>Refuses warehouse settings that could never reach a store, naming each one.</summary>
internal sealed class WarehouseOptionsValidator : IValidateOptions<WarehouseOptions>
{
    /// <summary>S3's smallest part size for every part but the last.</summary>
    internal const int MinimumPartSize = 5 << 20;

    public ValidateOptionsResult Validate(string? name, WarehouseOptions options)
    {
        var problems = new SectionProblems(WarehouseOptions.Section);
        if (options.Kind == WarehouseKind.Local && string.IsNullOrWhiteSpace(options.Path))
        {
            problems.Add(nameof(options.Path), "must name the warehouse directory when Kind is local.");
        }

        if (options.Kind == WarehouseKind.S3)
        {
            var s3 = options.S3;
            problems.AbsoluteUrl("S3:ServiceUrl", s3.ServiceUrl, "http", "https");

            foreach (var (setting, value) in new[] { ("Region", s3.Region), ("Bucket", s3.Bucket), ("AccessKey", s3.AccessKey), ("SecretKey", s3.SecretKey) })
            {
                if (string.IsNullOrEmpty(value))
                {
                    problems.Add($"S3:{setting}", "must not be empty.");
                }
            }

            if (s3.Prefix.Length > 0)
            {
                try
                {
                    ObjectKey.Validate(s3.Prefix.TrimEnd('/'));
                }
                catch (InvalidObjectKeyException e)
                {
                    problems.Add("S3:Prefix", $"is not a valid folder: {e.Message}");
                }
            }

            if (s3.MaxRetries < 0)
            {
                problems.Add("S3:MaxRetries", $"must not be negative (is {s3.MaxRetries}).");
            }

            problems.Positive("S3:Timeout", s3.Timeout);

            if (s3.MultipartPartSizeBytes < MinimumPartSize)
            {
                problems.Add("S3:MultipartPartSizeBytes", $"must be at least {MinimumPartSize} (5 MiB, S3's minimum; is {s3.MultipartPartSizeBytes}).");
            }

            if (s3.MultipartThresholdBytes < s3.MultipartPartSizeBytes)
            {
                problems.Add("S3:MultipartThresholdBytes", $"must be at least MultipartPartSizeBytes (is {s3.MultipartThresholdBytes}).");
            }
        }

        return problems.ToResult();
    }
}
