using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Storage.Hosting;

/// <summary>
/// Checks every setting registered with <c>ValidateOnStart</c> before a process starts anything, so a bad one stops
/// it with messages naming each key rather than a stack trace from whichever service first read it.
/// </summary>
public static class ConfigurationProblems
{
    /// <summary>What is wrong with the configuration, one message per problem; empty when it is valid.</summary>
    public static IReadOnlyList<string> Find(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            return [.. e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures)];
        }
        catch (InvalidOperationException e)
        {
            // The binder's own message names the key and the value it could not convert ("Failed to convert
            // configuration value 'abc' at 'K2:Storage:Writers:MaxBatchRows' to type 'System.Int32'.").
            return [e.Message];
        }
    }
}
