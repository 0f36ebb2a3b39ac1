#include "report-service/report_server.h"

#include <cstdio>
#include <memory>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "proto/common/server_runner.h"
#include "proto/common/status_macros.h"
#include "report-service/client/registry_client.h"
#include "report-service/service/report_generator.h"
#include "report-service/service/report_service.h"

namespace missions::report {

absl::Status RunReportServer(const ReportServerConfig& config) {
  ASSIGN_OR_RETURN(ServerSecurity security,
                   SetUpServerSecurity(config.security, config.listen_address));
  WarnIfInsecure("report-server", config.security);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  std::string registry_security;
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                   OpenClientChannel(config.registry_address, config.registry_security,
                                     args, &registry_security));
  RegistryClient registry(::registry::v1::RegistryService::NewStub(channel),
                          config.registry_timeout);
  ReportGenerator generator(&registry);
  ReportServiceImpl service(&generator, security.access.get());
  ASSIGN_OR_RETURN(std::unique_ptr<RunningServer> server,
                   RunningServer::Start(config.listen_address, {&service},
                                        security.credentials,
                                        config.security.message_limits));
  const std::string host =
      config.listen_address.substr(0, config.listen_address.rfind(':'));
  std::fprintf(stderr, "report-server listening on %s:%d (%s; registry %s over %s)\n",
               host.c_str(), server->port(), security.description.c_str(),
               config.registry_address.c_str(), registry_security.c_str());
  const int signal_number = WaitForTerminationSignal(
      [&] { ReloadCredentials("report-server", *security.access); });
  std::fprintf(stderr, "report-server: signal %d, shutting down\n",
               signal_number);
  server->Shutdown();
  return absl::OkStatus();
}

}  // namespace missions::report
