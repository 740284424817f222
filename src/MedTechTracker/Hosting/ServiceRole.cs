namespace MedTechTracker.Hosting;

[Flags]
public enum ServiceRole
{
    Ingress = 1,
    Worker = 2,
    Serve = Ingress | Worker,
}
