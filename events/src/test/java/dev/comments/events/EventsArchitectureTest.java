package dev.comments.events;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The contract is plain Java and Jackson: every module may depend on it, and it on no framework.
 */
@AnalyzeClasses(
    packages = "dev.comments.events",
    importOptions = ImportOption.DoNotIncludeTests.class)
class EventsArchitectureTest {
  @ArchTest
  static final ArchRule depends_on_no_framework =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "org.axonframework..",
              "org.apache.kafka..",
              "com.mongodb..",
              "org.bson..",
              "io.undertow..")
          .because("events/ is the contract every module shares, and must stay free of frameworks");

  @ArchTest
  static final ArchRule events_commands_and_queries_are_records =
      classes()
          .that()
          .resideInAnyPackage("dev.comments.events.command", "dev.comments.events.query")
          .and()
          .areNotInterfaces()
          .and()
          .areNotEnums()
          .should()
          .beRecords();
}
