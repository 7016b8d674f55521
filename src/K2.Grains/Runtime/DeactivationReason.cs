namespace K2.Grains.Runtime;

public readonly record struct DeactivationReason(DeactivationReasonCode Code, string Description);
