using MedTechTracker.Rules.Loading;
using MedTechTracker.Rules.Matching;
using Microsoft.Extensions.Options;

namespace MedTechTracker.Rules;

/// <summary>
/// Holds the active compiled rules. Loaded at start-up (an invalid file stops start-up, naming rule and key);
/// reloaded when the file changes, where an invalid new file is refused and the previous rules stay active.
/// </summary>
public sealed class RulesProvider : IDisposable
{
    private readonly ILogger<RulesProvider> _logger;
    private readonly string _path;
    private readonly FileSystemWatcher? _watcher;
    private readonly Lock _reloadLock = new();
    private volatile CompiledRuleSet _current;
    private Timer? _debounce;

    public RulesProvider(IOptions<RulesOptions> options, ILogger<RulesProvider> logger)
    {
        _logger = logger;
        _path = RulesFile.Resolve(options.Value.Path);
        _current = new CompiledRuleSet(RuleSetLoader.LoadFile(_path));
        LoadedAt = DateTimeOffset.UtcNow;
        _logger.LogInformation("Loaded {RuleCount} rules ({PhraseCount} phrases) from {RulesPath}", _current.RuleSet.Rules.Count, _current.PhraseCount, _path);

        var directory = System.IO.Path.GetDirectoryName(_path);
        if (directory is not null && Directory.Exists(directory))
        {
            _watcher = new FileSystemWatcher(directory, System.IO.Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => ScheduleReload();
            _watcher.Created += (_, _) => ScheduleReload();
            _watcher.Renamed += (_, _) => ScheduleReload();
            _watcher.EnableRaisingEvents = true;
        }
    }

    public CompiledRuleSet Current => _current;

    public string Path => _path;

    public DateTimeOffset LoadedAt { get; private set; }

    /// <summary>Raised after a successful reload.</summary>
    public event Action<CompiledRuleSet>? Reloaded;

    /// <summary>Reloads now; returns false (and keeps the previous rules) when the file is invalid.</summary>
    public bool Reload()
    {
        lock (_reloadLock)
        {
            try
            {
                var next = new CompiledRuleSet(RuleSetLoader.LoadFile(_path));
                _current = next;
                LoadedAt = DateTimeOffset.UtcNow;
                _logger.LogInformation("Reloaded {RuleCount} rules from {RulesPath}", next.RuleSet.Rules.Count, _path);
                Reloaded?.Invoke(next);
                return true;
            }
            catch (RuleSetValidationException ex)
            {
                _logger.LogError("Refused the changed rules file {RulesPath}; the previous {RuleCount} rules stay active. {Errors}", _path, _current.RuleSet.Rules.Count, ex.Message);
                return false;
            }
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
    }

    private void ScheduleReload()
    {
        // Editors write in several steps; wait for the writes to settle.
        _debounce?.Dispose();
        _debounce = new Timer(_ => Reload(), null, TimeSpan.FromMilliseconds(300), Timeout.InfiniteTimeSpan);
    }
}
