using Azure.Data.Tables;
using MedTechTracker.Storage.AzureTables;

namespace MedTechTracker.IntegrationTests.AzureTables;

/// <summary>Azurite's table service, started by scripts/test-deps.d/30-azurite.sh; tests fail, not skip, without it.</summary>
internal static class AzuriteTables
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("MTC_TEST_AZURITE_TABLES")
        ?? throw new InvalidOperationException("MTC_TEST_AZURITE_TABLES is not set: run the tests through scripts/test.sh (it starts Azurite).");

    /// <summary>Fresh tables per test (a unique prefix), so tests never see each other's rows.</summary>
    public static AzureTablesClient NewClient() =>
        new(new TableServiceClient(ConnectionString), "t" + Guid.NewGuid().ToString("N")[..12]);
}
