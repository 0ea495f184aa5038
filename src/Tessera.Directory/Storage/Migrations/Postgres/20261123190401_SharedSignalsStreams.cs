using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tessera.Directory.Storage.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    AppId = table.Column<Guid>(type: "uuid", nullable: false),
                    DeliveryMethod = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    EndpointUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    ProtectedAuthorizationHeader = table.Column<string>(type: "text", nullable: true),
                    EventsRequested = table.Column<List<string>>(type: "text[]", nullable: false),
                    Description = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StatusReason = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    CreatedDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastActivityDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    InactivityTimeoutSeconds = table.Column<int>(type: "integer", nullable: false),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignalStreams", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "QueuedSecurityEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StreamId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    EventType = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Token = table.Column<string>(type: "text", nullable: false),
                    CreatedDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NextAttemptDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    LeaseId = table.Column<Guid>(type: "uuid", nullable: true),
                    LeaseExpiresDateTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
