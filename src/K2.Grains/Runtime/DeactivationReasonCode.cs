namespace K2.Grains.Runtime;

public enum DeactivationReasonCode
{
    IdleTimeout,
    ApplicationRequested,
    ShuttingDown,
    ActivationFailed,
}
