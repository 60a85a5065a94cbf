import type { BenchReport } from './run.js';

/** The report as a person reads it: each gateway figure beside both floors. */
export function formatReport(report: BenchReport): string {
  const { throughput, fixedRate, inbound } = report.gateway;
  const { transport, exchange, rsaSigning } = report.floor;
  const { ratios } = report;
  const ms = (l: { p50: number; p95: number; p99: number }) =>
    `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} ms`;
  const floors = (vsExchange: number, vsTransport: number) =>
    `= ${vsExchange} × exchange floor, ${vsTransport} × transport floor`;
  const { instances } = report.settings;
  const threads = Object.entries(throughput.cpuByThreadSecondsPer1000)
    .map(([name, seconds]) => `${name} ${seconds} s`)
    .join(', ');
  const exchangeCpu = exchange.cpuSecondsPer1000;
  const resent = throughput.resent > 0 ? `, ${throughput.resent} sent more than once` : '';
  return [
    `mhs-gateway bench — ${report.date} — ${report.machine.cpus} cores (${report.machine.cpuModel}), ${report.machine.memoryGiB} GiB, Node ${report.machine.node}`,
    `store ${report.settings.store}, ${instances === 1 ? 'one gateway' : `${instances} gateway instances (one vhost, one database)`}, log level ${report.settings.logLevel}, gateway + simulator + RabbitMQ + driver on this machine`,
    '',
    `outbound, ${throughput.messages} signed forward-reliable messages at concurrency ${throughput.concurrency}:`,
    `  to ACKED       ${throughput.toAcked.messagesPerSecond} messages/s (${throughput.toAcked.reached} in ${throughput.toAcked.seconds} s${resent})  ${floors(ratios.toAckedVsExchangeFloor, ratios.toAckedVsTransportFloor)}`,
    `  to COMPLETED   ${throughput.toCompleted.messagesPerSecond} messages/s (${throughput.toCompleted.reached} in ${throughput.toCompleted.seconds} s)  ${floors(ratios.toCompletedVsExchangeFloor, ratios.toCompletedVsTransportFloor)}`,
    `  POST → 202     ${ms(throughput.postTo202Ms)}   answers ${JSON.stringify(throughput.answers)}`,
    `  accepted → ACKED      ${ms(throughput.acceptedToAckedMs)}   (exchange floor: ${ms(exchange.toAckedLatencyMs)})`,
    `  accepted → COMPLETED  ${ms(throughput.acceptedToCompletedMs)}   (exchange floor: ${ms(exchange.latencyMs)})`,
    `    queued (accepted → SENDING)  ${ms(throughput.stagesMs.acceptedToSending)}`,
    `    POST to Spine (SENDING → SENT)  ${ms(throughput.stagesMs.sendingToSent)}`,
    `    Spine's ack (SENT → ACKED)  ${ms(throughput.stagesMs.sentToAcked)}`,
    `  CPU per 1,000 messages: gateway ${throughput.gatewayCpuSecondsPer1000} s${instances > 1 ? ` (${instances} instances)` : ''}, simulator ${throughput.simulatorCpuSecondsPer1000} s, RabbitMQ ${throughput.rabbitmqCpuSecondsPer1000 ?? 'n/a'} s, driver ${throughput.driverCpuSecondsPer1000} s; machine ${throughput.machineBusyPercent}% busy (all cores)`,
    `  gateway CPU per exchange ${throughput.gatewayCpuMsPerExchange} ms; the exchange floor's gateway side ${exchangeCpu.gatewaySide} ms  = ${ratios.gatewayCpuVsExchangeFloorCpu} × floor`,
    `  gateway CPU by thread per 1,000 messages: ${threads || 'n/a'}`,
    `fixed rate ${fixedRate.rate}/s for ${fixedRate.seconds} s: POST → 202 ${ms(fixedRate.postTo202Ms)}; accepted → ACKED ${ms(fixedRate.acceptedToAckedMs)}; answers ${JSON.stringify(fixedRate.answers)}`,
    `inbound: ${inbound.messagesPerSecond} messages/s to mhs.inbound (${inbound.delivered}/${inbound.requested} in ${inbound.seconds} s)  ${floors(ratios.inboundVsExchangeFloor, ratios.inboundVsTransportFloor)}`,
    `gateway peak RSS ${report.gateway.peakRssMiB} MiB; during the fixed-rate phase ${report.gateway.rssDuringFixedRateMiB.first} → ${report.gateway.rssDuringFixedRateMiB.last} MiB (max ${report.gateway.rssDuringFixedRateMiB.max})`,
    '',
    `exchange floor: 3 mTLS POSTs (${exchange.sizes.message} / ${exchange.sizes.acknowledgment} / ${exchange.sizes.applicationAck} bytes), 4 confirmed publishes to quorum queues, 3 consumes per message, no XML${exchange.instances > 1 ? `, ${exchange.instances} gateway-side processes` : ''}: ${exchange.messagesPerSecond} messages/s (to ACKED ${exchange.toAcked.messagesPerSecond}); CPU per 1,000: gateway side ${exchangeCpu.gatewaySide} s, Spine/e-RS side ${exchangeCpu.spineSide} s, RabbitMQ ${exchangeCpu.rabbitmq ?? 'n/a'} s`,
    `transport floor: one mTLS keep-alive POST + confirmed AMQP publish and consume, no XML: ${transport.messagesPerSecond} messages/s (${ms(transport.latencyMs)})`,
    `RSA-2048 SHA-256 signatures on one core: ${rsaSigning.signaturesPerSecond}/s`,
  ].join('\n');
}
