package io.gonka.exporter;

import io.gonka.exporter.config.InvalidSettingsException;
import io.gonka.exporter.config.Settings;
import io.gonka.exporter.http.WebConfig;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

public final class Application {
    private Application() {}

    public static void main(String[] args) {
        // Netty emits Flight Recorder events when the JDK has JFR: 115 more classes loaded for
        // recordings nobody takes. An operator who wants them sets -Dio.netty.jfr.enabled=true.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        ApplicationArgs.Parsed cli = ApplicationArgs.parse(args);
        if (!cli.run()) {
            (cli.exitCode() == ApplicationArgs.EXIT_OK ? System.out : System.err).print(cli.output());
            System.out.flush();
            System.exit(cli.exitCode());
        }
        // logback reads ${GONKA_LOG_LEVEL} from system properties first: set before the first logger.
        System.setProperty("GONKA_LOG_LEVEL", cli.logLevel());
        Map<String, Object> props = new HashMap<>(cli.properties());
        if (!cli.webConfigFile().isBlank()) {
            // TLS has to be in place before the server binds, so the web config is read here too.
            WebConfig cfg;
            try {
                cfg = WebConfig.load(Path.of(cli.webConfigFile()));
            } catch (IllegalArgumentException e) {
                exitInvalid(Settings.byProperty(Settings.WEB_CONFIG_PROPERTY).orElseThrow().names() + " = \""
                        + cli.webConfigFile() + "\": " + e.getMessage());
                return;
            }
            cfg.applyJvmWideTlsSettings();
            props.putAll(cfg.serverProperties(cli.port()));
            props.put(Settings.WEB_CONFIG_PROPERTY, cli.webConfigFile());
        }
        io.micronaut.context.ApplicationContext context = new Launcher().properties(props).mainClass(Application.class).banner(false).start();
        if (Boolean.getBoolean("gonka.exit-after-start")) {
            // a start-up-only class-data-sharing run (write-cds-archive.sh without a node): done
            context.close();
            System.exit(0);
        }
        String trainingRounds = System.getProperty("gonka.exit-after-polls");
        if (trainingRounds != null) {
            // the class-data-sharing training run against a simulated node (write-cds-archive.sh)
            int exitCode = 0;
            try {
                ArchiveTraining.run(context, Integer.parseInt(trainingRounds.trim()));
            } catch (Exception e) {
                System.err.println("gonka-exporter: training run failed: " + e);
                exitCode = 1;
            }
            context.close();
            System.exit(exitCode);
        }
    }

    private static void exitInvalid(String problems) {
        System.err.println("gonka-exporter: invalid settings:\n  " + problems);
        System.exit(ApplicationArgs.EXIT_USAGE);
    }

    /** Micronaut, except that a bad setting ends start-up with its message instead of a stack trace. */
    private static final class Launcher extends Micronaut {
        @Override
        protected void handleStartupException(Environment environment, Throwable exception) {
            for (Throwable t = exception; t != null; t = t.getCause()) {
                if (t instanceof InvalidSettingsException invalid) {
                    exitInvalid(String.join("\n  ", invalid.problems()));
                }
            }
            super.handleStartupException(environment, exception);
        }
    }
}
