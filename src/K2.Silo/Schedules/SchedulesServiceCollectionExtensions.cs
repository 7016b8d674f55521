using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;

namespace K2.Silo.Schedules;

public static class SchedulesServiceCollectionExtensions
{
    /// <summary>
    /// Every schedule's Quartz scheduler shares this name: silos sharing a store form one cluster under it.
    /// </summary>
    public const string SchedulerName = "K2";

    /// <summary>
    /// Quartz's tables share the state database with the Iceberg catalog and K2's own tables, so they carry this prefix.
    /// </summary>
    public const string TablePrefix = "qrtz_";

    /// <summary>
    /// Registers the durable schedules (<c>K2:Schedules</c>): a Quartz scheduler on an ADO.NET job store (SQLite
    /// embedded; PostgreSQL, clustered, in a cluster), which creates its tables when missing, and the service that
    /// starts it with the host. The offload fires when an <see cref="IOffloadRun"/> is registered, the maintenance when an
    /// <see cref="IMaintenanceRun"/> is; register them in any order.
    /// </summary>
    public static IServiceCollection AddK2Schedules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SchedulesOptions>().BindConfiguration(SchedulesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SchedulesOptions>, SchedulesOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ScheduleMetrics>();
        services.AddHostedService<SchedulesService>();

        // The job store is chosen while the container is described, so its settings are read now rather than at start.
        var settings = configuration.GetSection(SchedulesOptions.Section).Get<SchedulesOptions>() ?? new SchedulesOptions();
        if (!settings.Enabled)
        {
            return services;
        }

        var validation = new SchedulesOptionsValidator().Validate(null, settings);
        if (validation.Failed)
        {
            throw new OptionsValidationException(SchedulesOptions.Section, typeof(SchedulesOptions), validation.Failures);
        }

        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = SchedulerName;
                // Asked to stop, a running job's token is cancelled and it is waited for: the offload and the maintenance
                // are safe to stop at any point, and the host's shutdown timeout bounds the wait.
                scheduler.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
            // The offload and the maintenance may run side by side; neither ever runs twice at once.
            quartz.UseDefaultThreadPool(2);
            quartz.UsePersistentStore(store =>
            {
                if (settings.Store == ScheduleStore.Sqlite)
                {
                    // Quartz refuses to cluster on SQLite (its file locks cannot serialize nodes), and needs no cluster
                    // there: only the one K2 process holding the data directory opens this file.
                    store.UseSqlite(new SqliteConnectionStringBuilder { DataSource = settings.SqlitePath, Pooling = true }.ConnectionString);
                }
                else
                {
                    store.UsePostgres(settings.PostgresConnectionString!);
                    // Each silo gets a generated instance id; each firing runs on exactly one of them.
                    store.UseClustering(clustering =>
                    {
                        clustering.CheckinInterval = settings.ClusterCheckinInterval;
                        clustering.CheckinMisfireThreshold = settings.ClusterCheckinMisfireThreshold;
                    });
                }

                store.ProvisionSchema();
                store.ConfigureStore(jobStore =>
                {
                    jobStore.TablePrefix = TablePrefix;
                    jobStore.MisfireThreshold = settings.MisfireThreshold;
                    jobStore.StoreJobDataAsStrings = true;
                });
            });
        });
        return services;
    }
}
