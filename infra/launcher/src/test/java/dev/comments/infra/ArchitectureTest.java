package dev.comments.infra;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.comments.events.ReadPreference;
import java.util.Set;

/** The module boundaries of docs/architecture.md, checked over every module's classes at once. */
@AnalyzeClasses(packages = "dev.comments", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final Set<String> MONGO_READS =
      Set.of("find", "countDocuments", "estimatedDocumentCount", "aggregate", "distinct");

  @ArchTest
  static final ArchRule command_side_never_imports_the_query_side =
      noClasses()
          .that()
          .resideInAPackage("dev.comments.command..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.comments.query..");

  @ArchTest
  static final ArchRule query_side_never_imports_the_command_side =
      noClasses()
          .that()
          .resideInAPackage("dev.comments.query..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.comments.command..", "org.axonframework..");

  @ArchTest
  static final ArchRule events_depend_on_no_framework =
      noClasses()
          .that()
          .resideInAPackage("dev.comments.events..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.springframework..",
              "org.axonframework..",
              "org.apache.kafka..",
              "com.mongodb..",
              "io.undertow..");

  /** The launcher feeds the edge's mesh to the DNS server; neither knows the other. */
  @ArchTest
  static final ArchRule the_edge_never_imports_the_dns_server =
      noClasses()
          .that()
          .resideInAPackage("dev.comments.edge..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.comments.geodns..");

  @ArchTest
  static final ArchRule the_dns_server_never_imports_the_edge =
      noClasses()
          .that()
          .resideInAPackage("dev.comments.geodns..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.comments.edge..");

  @ArchTest
  static final ArchRule only_the_launcher_knows_spring =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.comments.infra..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.springframework..");

  @ArchTest
  static final ArchRule every_store_read_names_its_read_preference =
      methods()
          .that(readAMongoCollection())
          .and(notAnAxonStorageStrategy())
          .should(takeAReadPreference())
          .because("readPreference is explicit, up to the caller (docs/architecture.md)");

  private static DescribedPredicate<JavaMethod> readAMongoCollection() {
    return DescribedPredicate.describe(
        "read a MongoDB collection",
        method ->
            method.getMethodCallsFromSelf().stream()
                .anyMatch(
                    call ->
                        call.getTargetOwner().isAssignableTo("com.mongodb.client.MongoCollection")
                            && MONGO_READS.contains(call.getName())));
  }

  /**
   * axon-mongo's storage strategy is called by Axon, whose interface has no room for a preference:
   * the command side hands Axon a database handle that names the primary once for all its reads.
   */
  private static DescribedPredicate<JavaMethod> notAnAxonStorageStrategy() {
    return DescribedPredicate.describe(
        "are not declared in an axon-mongo StorageStrategy",
        method ->
            !method
                .getOwner()
                .isAssignableTo(
                    "org.axonframework.extensions.mongo.eventsourcing.eventstore.StorageStrategy"));
  }

  private static ArchCondition<JavaMethod> takeAReadPreference() {
    return new ArchCondition<>("take a " + ReadPreference.class.getSimpleName() + " parameter") {
      @Override
      public void check(JavaMethod method, ConditionEvents events) {
        boolean takesOne =
            method.getRawParameterTypes().stream()
                .anyMatch(type -> type.isEquivalentTo(ReadPreference.class));
        events.add(
            new SimpleConditionEvent(
                method,
                takesOne,
                method.getFullName()
                    + (takesOne ? " takes" : " does not take")
                    + " a ReadPreference"));
      }
    };
  }
}
