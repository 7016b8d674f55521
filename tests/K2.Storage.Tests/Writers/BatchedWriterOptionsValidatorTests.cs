using K2.Storage.Writers;

namespace K2.Storage.Tests.Writers;

public sealed class BatchedWriterOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        new BatchedWriterOptionsValidator().Validate(null, new BatchedWriterOptions()).Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData(nameof(BatchedWriterOptions.MaxBatchRows))]
    [InlineData(nameof(BatchedWriterOptions.MaxBufferedRows))]
    [InlineData(nameof(BatchedWriterOptions.FlushInterval))]
    [InlineData("Retry delays")]
    [InlineData(nameof(BatchedWriterOptions.ShutdownFlushTimeout))]
    public void Settings_that_would_spin_or_never_flush_are_refused_by_name(string setting)
    {
        var options = setting switch
        {
            nameof(BatchedWriterOptions.MaxBatchRows) => new BatchedWriterOptions { MaxBatchRows = 0 },
            nameof(BatchedWriterOptions.MaxBufferedRows) => new BatchedWriterOptions { MaxBufferedRows = 0 },
            nameof(BatchedWriterOptions.FlushInterval) => new BatchedWriterOptions { FlushInterval = TimeSpan.Zero },
            "Retry delays" => new BatchedWriterOptions { InitialRetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromSeconds(1) },
            _ => new BatchedWriterOptions { ShutdownFlushTimeout = TimeSpan.FromSeconds(-1) },
        };

        var result = new BatchedWriterOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain(setting);
        result.FailureMessage.ShouldContain("K2:Storage:Writers");
    }
}
