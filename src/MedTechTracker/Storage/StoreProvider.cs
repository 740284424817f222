namespace MedTechTracker.Storage;

public enum StoreProvider
{
    Sqlite,
    AzureTables,
}
