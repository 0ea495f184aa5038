using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SharedSignalsStreams : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SignalStreams",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AppId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DeliveryMethod = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    EndpointUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    ProtectedAuthorizationHeader = table.Column<string>(type: "TEXT", nullable: true),
                    EventsRequested = table.Column<string>(type: "TEXT", nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StatusReason = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    CreatedDateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    LastActivityDateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    InactivityTimeoutSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    ConcurrencyStamp = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignalStreams", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "QueuedSecurityEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StreamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EventType = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Token = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedDateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    NextAttemptDateTime = table.Column<long>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LeaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    LeaseExpiresDateTime = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QueuedSecurityEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QueuedSecurityEvents_SignalStreams_StreamId",
                        column: x => x.StreamId,
                        principalTable: "SignalStreams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_QueuedSecurityEvents_NextAttemptDateTime",
                table: "QueuedSecurityEvents",
                column: "NextAttemptDateTime");

            migrationBuilder.CreateIndex(
                name: "IX_QueuedSecurityEvents_StreamId_NextAttemptDateTime",
                table: "QueuedSecurityEvents",
                columns: new[] { "StreamId", "NextAttemptDateTime" });

            migrationBuilder.CreateIndex(
                name: "IX_SignalStreams_TenantId_AppId",
                table: "SignalStreams",
                columns: new[] { "TenantId", "AppId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "QueuedSecurityEvents");

            migrationBuilder.DropTable(
                name: "SignalStreams");
        }
    }
}
