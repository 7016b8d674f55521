namespace K2.Grains.Runtime;

/// <summary>
/// Marks a grain method whose caller does not wait for the result: the returned task completes once the message is in
/// the mailbox (waiting while the mailbox is full, which is the backpressure). Failures are logged and counted.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute;
