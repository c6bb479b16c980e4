package io.gonka.exporter.config;

import java.util.Locale;

/**
 * One operator setting under all its names: the Micronaut property ({@code gonka.admin-url}), the
 * environment variable ({@code GONKA_ADMIN_URL}) and the command-line flag ({@code --gonka.admin-url}).
 * {@code property} is null for the one setting Micronaut does not read (the log level, read by logback).
 */
public record Setting(String property, String env, String flag, Kind kind, String defaultValue, String description) {

    /** What a value must look like; checked at start-up, whichever way the value came in. */
    public enum Kind {
        BOOLEAN("true|false"), DURATION("duration"), URL("url"), URL_LIST("urls"), INT("n"), LONG("n"), TEXT("text"),
        PATH("path"), HOST("host"), PORT("port"), LOG_LEVEL("level"), SCHEME("http|https");

        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** gonka.admin-url -> GONKA_ADMIN_URL, as Micronaut maps environment variables onto properties. */
    public static String envName(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** adminUrl -> admin-url */
    public static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** How an error message names the setting: every spelling an operator may have used. */
    public String names() {
        return property == null ? env + " (" + flag + ")" : property + " (" + env + ", " + flag + ")";
    }
}
