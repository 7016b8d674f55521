using Microsoft.Extensions.Options;

namespace K2.Api.Admin;

/// <summary>Refuses malformed keys, unreadable key files and duplicates, naming the setting or line but never a key.</summary>
internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var problems = AdminKeySource.Read(options).Problems;
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
