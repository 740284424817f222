# syntax=docker/dockerfile:1
# MedTech Compliance Tracker: one image, every role. `serve` by default; pass a role as the argument:
#   docker run IMAGE            -> serve (ingress + worker + admin)
#   docker run IMAGE ingress    -> webhook ingress and admin only (scale on HTTP)
#   docker run IMAGE worker     -> queue worker and backfill runner only (scale on queue length)
#   docker run IMAGE deadletter list | backfill ... | projects ...
# The rules live at /app/config/rules.json: mount a volume or config map over /app/config (or set Rules__Path).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so code changes do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/MedTechTracker.Rules/MedTechTracker.Rules.csproj src/MedTechTracker.Rules/
COPY src/MedTechTracker/MedTechTracker.csproj src/MedTechTracker/
RUN dotnet restore src/MedTechTracker/MedTechTracker.csproj
COPY src/ src/
COPY config/ config/
COPY scripts/publish.sh scripts/
# The same command CI runs (scripts/publish.sh).
RUN bash scripts/publish.sh /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_gcServer=0 \
    Rules__Path=/app/config/rules.json \
    Data__Directory=/app/data
COPY --from=build /app/publish ./
# The embedded SQLite queue and store (the default providers) write here; mount a volume to keep them.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
# The aspnet images ship a non-root "app" user (APP_UID); never run as root.
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "medtech-tracker.dll"]
CMD ["serve"]
