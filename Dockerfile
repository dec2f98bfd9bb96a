# Broadcast server. The web client is built into src/Broadcast.Server/wwwroot and committed,
# so no Node stage is needed here.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props Broadcast.sln ./
# The server and the projects it references: the election model, and the wire types it shares
# with .NET clients (Broadcast.Client).
COPY src/Broadcast.Server/Broadcast.Server.csproj src/Broadcast.Server/
COPY src/Broadcast.Elections/Broadcast.Elections.csproj src/Broadcast.Elections/
COPY src/Broadcast.Client/Broadcast.Client.csproj src/Broadcast.Client/
RUN dotnet restore src/Broadcast.Server/Broadcast.Server.csproj
COPY data/ data/
COPY src/Broadcast.Elections/ src/Broadcast.Elections/
COPY src/Broadcast.Client/ src/Broadcast.Client/
COPY src/Broadcast.Server/ src/Broadcast.Server/
RUN dotnet publish src/Broadcast.Server/Broadcast.Server.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# The SQLite file of the embedded default lives on a volume owned by the non-root user.
RUN mkdir -p /var/lib/broadcast && chown "$APP_UID" /var/lib/broadcast
VOLUME /var/lib/broadcast
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Storage__SqlitePath=/var/lib/broadcast/broadcast.db
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["dotnet", "Broadcast.Server.dll", "--health-probe"]
ENTRYPOINT ["dotnet", "Broadcast.Server.dll"]
