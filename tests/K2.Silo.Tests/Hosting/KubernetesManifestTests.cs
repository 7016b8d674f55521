using System.Text.Json.Nodes;
using K2.Silo.Cluster;
using K2.Silo.Hosting;
using K2.Testing;

namespace K2.Silo.Tests.Hosting;

/// <summary>
/// deploy/k8s cannot be applied here (no cluster), so what kustomize renders is checked offline: every object against
/// the Kubernetes API's schema, and the parts that must agree with each other (selectors and labels, the silos' account
/// and its role, the probes and ports K2 serves) as Kubernetes and Orleans' Kubernetes hosting would use them.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly IReadOnlyList<JsonObject> Objects = KustomizeBuild.Objects();

    [Fact]
    public void Kustomize_renders_the_silo_and_API_workloads_and_every_object_is_valid_for_the_Kubernetes_API()
    {
        Objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}").Order(StringComparer.Ordinal).ShouldBe(
        [
            $"ConfigMap/{Name("ConfigMap", "k2-appsettings-")}",
            $"ConfigMap/{Name("ConfigMap", "k2-instruments-")}",
            "Deployment/k2-api",
            "Deployment/k2-silo",
            "HorizontalPodAutoscaler/k2-api",
            "Namespace/k2",
            "PodDisruptionBudget/k2-silo",
            "Role/k2-silo-pods",
            "RoleBinding/k2-silo-pods",
            "Service/k2-api",
            "Service/k2-silo",
            "ServiceAccount/k2-silo",
        ]);
        KubernetesApiSchema.Problems([.. Objects]).ShouldBeEmpty();
        Objects.Where(o => (string?)o["kind"] != "Namespace").ShouldAllBe(o => (string?)o["metadata"]!["namespace"] == "k2");
    }

    [Fact]
    public void The_schema_check_refuses_a_misspelt_field_a_string_for_an_integer_a_missing_required_field_and_an_unknown_kind()
    {
        var misspelt = Silo();
        misspelt["spec"]!["replicass"] = 2;
        var stringForInteger = Silo();
        stringForInteger["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"] = "90";
        var noName = Silo();
        noName["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().Remove("name");
        var unknownKind = Silo();
        unknownKind["kind"] = "Deploymnet";

        KubernetesApiSchema.Problems(misspelt).ShouldBe(
            ["Deployment k2-silo: The JSON property 'replicass' could not be mapped to any .NET member contained in type 'k8s.Models.V1DeploymentSpec'."]);
        KubernetesApiSchema.Problems(stringForInteger).ShouldBe(
        [
            "Deployment k2-silo: The JSON value could not be converted to System.Nullable`1[System.Int64]. Path: $.spec.template.spec.terminationGracePeriodSeconds",
            "Deployment k2-silo: data/spec/template/spec/terminationGracePeriodSeconds must be integer",
        ]);
        KubernetesApiSchema.Problems(noName).ShouldBe(["Deployment k2-silo: data/spec/template/spec/containers/0 must have required property name"]);
        KubernetesApiSchema.Problems(unknownKind).ShouldBe(
        [
            "Deploymnet k2-silo: apiVersion apps/v1 kind Deploymnet is not a Kubernetes API type.",
            "Deploymnet k2-silo: apiVersion apps/v1 kind Deploymnet has no kubernetes-models schema.",
        ]);
    }

    [Fact]
    public void Silo_pods_carry_what_Orleans_Kubernetes_hosting_reads_and_may_do_what_it_asks_of_the_API_server()
    {
        var silo = Silo();
        var template = silo["spec"]!["template"]!;
        var labels = template["metadata"]!["labels"]!;
        ((string?)labels["orleans/clusterId"]).ShouldBe("k2");
        ((string?)labels["orleans/serviceId"]).ShouldBe("k2");
        var env = Container(silo)["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!["valueFrom"]?["fieldRef"]?["fieldPath"]?.GetValue<string>());
        env["POD_NAME"].ShouldBe("metadata.name");
        env["POD_NAMESPACE"].ShouldBe("metadata.namespace");
        env["POD_IP"].ShouldBe("status.podIP");
        env["ORLEANS_CLUSTER_ID"].ShouldBe("metadata.labels['orleans/clusterId']");
        env["ORLEANS_SERVICE_ID"].ShouldBe("metadata.labels['orleans/serviceId']");
        env["K2__Cluster__AdvertisedAddress"].ShouldBe("status.podIP");

        var account = (string)template["spec"]!["serviceAccountName"]!;
        Single("ServiceAccount", account).ShouldNotBeNull();
        var role = Single("Role", "k2-silo-pods");
        var rule = role["rules"]!.AsArray().ShouldHaveSingleItem()!;
        rule["apiGroups"]!.AsArray().Select(g => (string)g!).ShouldBe([""]);
        rule["resources"]!.AsArray().Select(r => (string)r!).ShouldBe(["pods"]);
        rule["verbs"]!.AsArray().Select(v => (string)v!).ShouldBe(["get", "list", "watch", "delete"]);
        var binding = Single("RoleBinding", "k2-silo-pods");
        ((string?)binding["roleRef"]!["name"]).ShouldBe("k2-silo-pods");
        var subject = binding["subjects"]!.AsArray().ShouldHaveSingleItem()!;
        ((string?)subject["kind"]).ShouldBe("ServiceAccount");
        ((string?)subject["name"]).ShouldBe(account);
        ((string?)subject["namespace"]).ShouldBe((string?)silo["metadata"]!["namespace"]);
    }

    [Fact]
    public void Workloads_probe_K2s_health_endpoints_drain_in_time_have_resources_and_are_selected_by_their_services_budget_and_autoscaler()
    {
        foreach (var (workload, service) in new[] { (Silo(), "k2-silo"), (Single("Deployment", "k2-api"), "k2-api") })
        {
            var podLabels = workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
            Selects(workload["spec"]!["selector"]!["matchLabels"]!.AsObject(), podLabels).ShouldBeTrue();
            var container = Container(workload);
            ((string?)container["startupProbe"]!["httpGet"]!["path"]).ShouldBe("/health/live");
            ((string?)container["livenessProbe"]!["httpGet"]!["path"]).ShouldBe("/health/live");
            ((string?)container["readinessProbe"]!["httpGet"]!["path"]).ShouldBe("/health/ready");
            var http = container["ports"]!.AsArray().Single(p => (string?)p!["name"] == "http")!;
            ((long)http["containerPort"]!).ShouldBe(8080); // the images' --urls
            foreach (var part in new[] { "requests", "limits" })
            {
                container["resources"]![part]!["cpu"].ShouldNotBeNull();
                container["resources"]![part]!["memory"].ShouldNotBeNull();
            }

            var serviceObject = Single("Service", service);
            Selects(serviceObject["spec"]!["selector"]!.AsObject(), podLabels).ShouldBeTrue();
            ((string?)serviceObject["spec"]!["ports"]![0]!["targetPort"]).ShouldBe("http");
        }

        var silo = Silo();
        ((long)silo["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!).ShouldBeGreaterThan((long)SiloHost.ShutdownTimeout.TotalSeconds);
        var siloPorts = Container(silo)["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (long)p!["containerPort"]!);
        siloPorts["orleans-silo"].ShouldBe((long)new SiloClusterOptions().SiloPort);
        siloPorts["orleans-gateway"].ShouldBe((long)new SiloClusterOptions().GatewayPort);
        var budget = Single("PodDisruptionBudget", "k2-silo");
        Selects(budget["spec"]!["selector"]!["matchLabels"]!.AsObject(), silo["spec"]!["template"]!["metadata"]!["labels"]!.AsObject()).ShouldBeTrue();
        ((long)budget["spec"]!["maxUnavailable"]!).ShouldBe(1);
        var target = Single("HorizontalPodAutoscaler", "k2-api")["spec"]!["scaleTargetRef"]!;
        ((string?)target["kind"]).ShouldBe("Deployment");
        ((string?)target["name"]).ShouldBe("k2-api");
        Single("Deployment", "k2-api")["spec"]!["replicas"].ShouldBeNull(); // the autoscaler owns the count
    }

    [Fact]
    public void Credentials_come_only_from_the_operators_Secret_and_the_instruments_ConfigMap_is_the_repositorys_registry()
    {
        Objects.ShouldNotContain(o => (string?)o["kind"] == "Secret");
        foreach (var workload in Objects.Where(o => (string?)o["kind"] == "Deployment"))
        {
            foreach (var variable in Container(workload)["env"]!.AsArray())
            {
                var name = (string)variable!["name"]!;
                if (name.EndsWith("Password", StringComparison.Ordinal) || name.EndsWith("Key", StringComparison.Ordinal) || name.EndsWith("ConnectionString", StringComparison.Ordinal))
                {
                    variable["value"].ShouldBeNull($"{name} must not be inline");
                    ((string?)variable["valueFrom"]!["secretKeyRef"]!["name"]).ShouldBe("k2-secrets", name);
                }
            }
        }

        var instruments = Single("ConfigMap", "k2-instruments-");
        ((string?)instruments["data"]!["instruments.yaml"]).ShouldBe(File.ReadAllText(RepositoryPaths.InstrumentsFile),
            "deploy/k8s/config/instruments.yaml must be a copy of config/instruments.yaml (kustomize reads no file outside deploy/k8s)");
    }

    private static JsonObject Silo() => Single("Deployment", "k2-silo");

    private static JsonObject Single(string kind, string name) => KustomizeBuild.Single(KustomizeBuild.Objects(), kind, name);

    private static string Name(string kind, string prefix) => (string)Single(kind, prefix)["metadata"]!["name"]!;

    private static JsonNode Container(JsonObject workload) => workload["spec"]!["template"]!["spec"]!["containers"]!.AsArray().ShouldHaveSingleItem()!;

    private static bool Selects(JsonObject selector, JsonObject labels) =>
        selector.Count > 0 && selector.All(s => (string?)labels[s.Key] == (string?)s.Value);
}
