namespace K2.Silo.Cluster;

/// <summary>
/// Orleans' Kubernetes hosting for a silo in a pod (<c>K2:Cluster:Kubernetes</c>). It is not a membership provider:
/// PostgreSQL stays the membership, and this adds what only Kubernetes knows. The silo is named after its pod, listens
/// on every address of the pod, and a few silos watch the pods labelled with the cluster's ids: a silo whose pod was
/// deleted is declared dead at once instead of after missed probes, and the pod of a silo the cluster declared dead is
/// deleted, so its workload replaces it rather than leaving a process that may no longer rejoin.
/// </summary>
/// <remarks>
/// Turned on by configuration, not by detecting a pod (KUBERNETES_SERVICE_HOST is set in every pod): a pod without the
/// RBAC role and the downward-API variables of deploy/k8s would fail at start, and <see cref="KubernetesPodValidator"/>
/// can name what is missing only when it knows the silo is meant to run this way.
/// </remarks>
internal static class KubernetesHosting
{
    /// <summary>Whether <c>K2:Cluster:Kubernetes</c> is true; any other value than a boolean is the binder's to refuse.</summary>
    public static bool IsEnabled(IConfiguration configuration) =>
        bool.TryParse(configuration[$"{SiloClusterOptions.Section}:{nameof(SiloClusterOptions.Kubernetes)}"], out var enabled) && enabled;

    public static void UseK2KubernetesHosting(this ISiloBuilder silo) =>
        silo.UseKubernetesHosting(options => options.Configure(o => o.DeleteDefunctSiloPods = true));
}
