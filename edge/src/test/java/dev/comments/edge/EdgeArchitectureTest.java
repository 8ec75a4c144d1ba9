package dev.comments.edge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(
    packages = "dev.comments.edge",
    importOptions = ImportOption.DoNotIncludeTests.class)
class EdgeArchitectureTest {
  /** The edge talks to the command and query sides through their ports, never their stores. */
  @ArchTest
  static final ArchRule edge_never_touches_stores_logs_or_aggregates =
      noClasses()
          .that()
          .resideInAPackage("dev.comments.edge..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "com.mongodb..", "org.bson..", "org.apache.kafka..", "org.axonframework..");

  /** Ports only: no command-side or query-side class beyond the interfaces and their values. */
  @ArchTest
  static final ArchRule edge_uses_only_the_ports_of_the_other_sides =
      noClasses()
          .that()
          .resideInAPackage("dev.comments.edge..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.comments.command.*..", "dev.comments.query.*..");

  /** No web framework sneaks in: the edge is Undertow core. */
  @ArchTest
  static final ArchRule edge_is_plain_undertow =
      noClasses()
          .that()
          .resideInAPackage("dev.comments.edge..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..", "jakarta.servlet..", "io.undertow.servlet..");

  /** One place writes error bodies: handlers throw, ErrorMapping answers. */
  @ArchTest
  static final ArchRule only_error_mapping_builds_error_bodies =
      noClasses()
          .that()
          .doNotHaveFullyQualifiedName("dev.comments.edge.http.ErrorMapping")
          .and()
          .doNotHaveFullyQualifiedName("dev.comments.edge.http.ErrorMappingTest")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("dev.comments.edge.http.ErrorMapping$ErrorBody");
}
